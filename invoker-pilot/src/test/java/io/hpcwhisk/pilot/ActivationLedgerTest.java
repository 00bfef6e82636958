package io.hpcwhisk.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.hpcwhisk.pilot.ActivationLedger.Arrival;
import io.hpcwhisk.pilot.ActivationLedger.Begin;
import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.protocol.PilotMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pilot's bookkeeping alone: arrivals, what starts, begin and end of a run, owed
 * acknowledgements, cancel, drain.
 */
class ActivationLedgerTest {

  static final int MEMORY_MB = 1024;
  static final long DELAY = 100;

  final Object lock = new Object();
  final AtomicBoolean left = new AtomicBoolean();
  final List<Boolean> leftReadHoldingLock = new ArrayList<>();
  final ActivationLedger ledger =
      new ActivationLedger(
          MEMORY_MB,
          () -> {
            leftReadHoldingLock.add(Thread.holdsLock(lock));
            return left.get();
          },
          lock);

  /** What the ledger started, in order. */
  final List<String> run = new ArrayList<>();

  static ActivationRequest request(String id, int memoryMb) {
    return Requests.sleeping(id, 10, memoryMb);
  }

  /** Arrives and is queued. */
  void queue(String id, int memoryMb) {
    assertThat(ledger.arrive(request(id, memoryMb))).isEqualTo(Arrival.QUEUED);
  }

  List<String> startWhatFits() {
    return ledger.startWhatFits(r -> run.add(r.activationId())).stream()
        .map(ActivationRequest::activationId)
        .toList();
  }

  /** Arrives, is queued and starts running (its runtime not ready yet). */
  void running(String id) {
    queue(id, 256);
    startWhatFits();
    assertThat(run).contains(id);
  }

  // ---- arrivals ----

  static Stream<Arguments> arrivals() {
    return Stream.of(
        arguments("a new activation", given(l -> {}), Arrival.QUEUED),
        arguments("one queued already", given(l -> l.queue("a", 256)), Arrival.DUPLICATE),
        arguments("one running already", given(l -> l.running("a")), Arrival.DUPLICATE),
        arguments(
            "one running while the pilot drains",
            given(
                l -> {
                  l.running("a");
                  l.ledger.drain(Instant.MAX);
                }),
            Arrival.DUPLICATE),
        arguments("its cancel came first", given(l -> l.ledger.cancel("a")), Arrival.CANCELLED),
        arguments(
            "its cancel came first, and the pilot drains",
            given(
                l -> {
                  l.ledger.cancel("a");
                  l.ledger.drain(Instant.MAX);
                }),
            Arrival.CANCELLED),
        arguments(
            "cancelled while queued (dropped then)",
            given(
                l -> {
                  l.queue("a", 256);
                  l.ledger.cancel("a");
                }),
            Arrival.QUEUED),
        arguments("the pilot drains", given(l -> l.ledger.drain(Instant.MAX)), Arrival.REFUSED),
        arguments("the pilot has left", given(l -> l.left.set(true)), Arrival.REFUSED));
  }

  static Consumer<ActivationLedgerTest> given(Consumer<ActivationLedgerTest> setUp) {
    return setUp;
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("arrivals")
  void anArrivalIs(String situation, Consumer<ActivationLedgerTest> given, Arrival expected) {
    given.accept(this);
    int busyBefore = ledger.load().busy();

    assertThat(ledger.arrive(request("a", 256))).as(situation).isEqualTo(expected);

    assertThat(ledger.load().busy())
        .as("queued only when QUEUED")
        .isEqualTo(busyBefore + (expected == Arrival.QUEUED ? 1 : 0));
    assertThat(leftReadHoldingLock)
        .as("whether the pilot left is read holding the lock")
        .doesNotContain(false);
  }

  @Test
  void aDuplicateArrivalUndoesTheCancelOfTheCopyHeldSoThatCopyRuns() {
    running("a");
    ledger.cancel("a"); // runtime not ready yet: remembered

    assertThat(ledger.arrive(request("a", 256))).isEqualTo(Arrival.DUPLICATE);

    assertThat(ledger.begin(request("a", 256), 1)).isEqualTo(Begin.RUN);
  }

  @Test
  void aCancelBeforeArrivalDropsOnlyTheFirstArrival() {
    ledger.cancel("a");
    assertThat(ledger.arrive(request("a", 256))).isEqualTo(Arrival.CANCELLED);
    assertThat(ledger.arrive(request("a", 256))).isEqualTo(Arrival.QUEUED);
  }

  @Test
  void onlyTheMostRecentCancelsAreRemembered() {
    for (int i = 0; i <= ActivationLedger.CANCELLED_REMEMBERED; i++) {
      ledger.cancel("c" + i);
    }

    assertThat(ledger.arrive(request("c0", 256)))
        .as("the oldest is forgotten")
        .isEqualTo(Arrival.QUEUED);
    assertThat(ledger.arrive(request("c1", 256))).isEqualTo(Arrival.CANCELLED);
  }

  // ---- what starts ----

  static Stream<Arguments> queues() {
    return Stream.of(
        arguments("", "", "", MEMORY_MB),
        arguments("256 256 256 256", "q0 q1 q2 q3", "", 0),
        arguments("1024", "q0", "", 0),
        arguments("512 768 256", "q0", "", 512), // in order: the one after a misfit waits too
        arguments("2048 256", "q1", "q0", 768), // more than the pilot has: taken off the queue
        arguments("256 4096 1024 256", "q0", "q1", 768));
  }

  @ParameterizedTest(name = "[{0}] starts [{1}], too large [{2}], {3} MB free")
  @MethodSource("queues")
  void startsInOrderWhatFits(String memories, String started, String tooLarge, int free) {
    List<String> sizes = words(memories);
    for (int i = 0; i < sizes.size(); i++) {
      queue("q" + i, Integer.parseInt(sizes.get(i)));
    }

    assertThat(startWhatFits()).isEqualTo(words(tooLarge));

    assertThat(run).isEqualTo(words(started));
    int waiting = sizes.size() - run.size() - words(tooLarge).size();
    assertThat(ledger.load())
        .isEqualTo(new ActivationLedger.Load(free, run.size() + waiting, false));
  }

  @Test
  void startsHoldingTheLock() {
    queue("a", 256);
    List<Boolean> holding = new ArrayList<>();

    ledger.startWhatFits(r -> holding.add(Thread.holdsLock(lock)));

    assertThat(holding).containsExactly(true);
  }

  @Test
  void theEndOfARunFreesItsMemoryForTheNext() {
    queue("a", 768);
    queue("b", 512);
    startWhatFits();
    assertThat(run).containsExactly("a");

    assertThat(ledger.finish(request("a", 768)))
        .isEqualTo(new ActivationLedger.Finished(true, false, false));
    startWhatFits();

    assertThat(run).containsExactly("a", "b");
    assertThat(ledger.load()).isEqualTo(new ActivationLedger.Load(512, 1, false));
    assertThat(ledger.finish(request("a", 768)).mine()).as("ended once").isFalse();
    assertThat(ledger.load().freeMemoryMb()).isEqualTo(512);
  }

  // ---- begin of a run ----

  enum BeginCase {
    OWED(false, true, false, Begin.RUN),
    RETRY_SAFE_OWED(true, true, false, Begin.RUN_REPORT_LATER),
    RETRY_SAFE_ACKNOWLEDGED(true, false, false, Begin.RUN),
    CANCELLED_WHILE_ITS_RUNTIME_STARTED(false, true, true, Begin.SKIP);

    final boolean retrySafe;
    final boolean owed;
    final boolean cancelled;
    final Begin expected;

    BeginCase(boolean retrySafe, boolean owed, boolean cancelled, Begin expected) {
      this.retrySafe = retrySafe;
      this.owed = owed;
      this.cancelled = cancelled;
      this.expected = expected;
    }
  }

  @ParameterizedTest
  @EnumSource(BeginCase.class)
  void aRunBegins(BeginCase c) {
    ActivationRequest a = c.retrySafe ? Requests.retrySafe(request("a", 256)) : request("a", 256);
    ledger.arrive(a, c.owed ? 0 : ActivationLedger.NOT_OWED);
    startWhatFits();
    if (c.cancelled) {
      assertThat(ledger.cancel("a")).as("not queued any more").isFalse();
    }

    assertThat(ledger.begin(a, 42)).isEqualTo(c.expected);

    ActivationLedger.OwedAcks due = ledger.takeOwedAcks(DELAY, DELAY);
    if (c.expected == Begin.RUN_REPORT_LATER) {
      assertThat(due.started())
          .as("its start goes out with the owed acknowledgements")
          .containsExactly(new PilotMessage.Started("a", 42));
      assertThat(due.accepted()).isEmpty();
    } else if (c.expected == Begin.RUN) {
      assertThat(due)
          .as("the start acknowledges it")
          .isEqualTo(new ActivationLedger.OwedAcks(List.of(), List.of()));
    } else {
      assertThat(due.accepted()).as("held and not started: still owed").containsExactly("a");
    }
    assertThat(ledger.finish(a).hadStarted()).isEqualTo(c.expected != Begin.SKIP);
  }

  @Test
  void aRunWhoseActivationIsNoLongerHeldDoesNotBegin() {
    running("a");
    ledger.drain(Instant.MAX);
    assertThat(ledger.takeRunning()).containsExactly(new PilotMessage.HandBack.Item("a", false));

    assertThat(ledger.begin(request("a", 256), 1)).isEqualTo(Begin.SKIP);
  }

  // ---- owed acknowledgements ----

  /**
   * Where an activation that is owed an acknowledgement stands at the sweep, and what the sweep
   * sends.
   */
  static Stream<Arguments> sweeps() {
    return Stream.of(
        arguments("queued", given(l -> {}), List.of("a"), List.of()),
        arguments(
            "running, its runtime still starting",
            given(ActivationLedgerTest::startWhatFits),
            List.of("a"),
            List.of()),
        arguments(
            "started and reported",
            given(
                l -> {
                  l.startWhatFits();
                  l.ledger.begin(request("a", 256), 7);
                }),
            List.of(),
            List.of()),
        arguments(
            "retry-safe, started, not reported",
            given(
                l -> {
                  l.startWhatFits();
                  l.ledger.begin(Requests.retrySafe(request("a", 256)), 7);
                }),
            List.of(),
            List.of(new PilotMessage.Started("a", 7))),
        arguments(
            "completed",
            given(
                l -> {
                  l.startWhatFits();
                  l.ledger.begin(Requests.retrySafe(request("a", 256)), 7);
                  l.ledger.finish(request("a", 256));
                  l.ledger.completed("a");
                }),
            List.of(),
            List.of()),
        arguments(
            "retry-safe, ended without completing (handed back)",
            given(
                l -> {
                  l.startWhatFits();
                  l.ledger.begin(Requests.retrySafe(request("a", 256)), 7);
                  l.ledger.finish(request("a", 256));
                }),
            List.of(),
            List.of()),
        arguments(
            "handed back by a drain",
            given(l -> l.ledger.drain(Instant.MAX)),
            List.of(),
            List.of()),
        arguments(
            "cancelled while queued", given(l -> l.ledger.cancel("a")), List.of(), List.of()));
  }

  @ParameterizedTest(name = "{0}: accepted {2}, started {3}")
  @MethodSource("sweeps")
  void theSweepAcknowledgesWhatStillWaits(
      String situation,
      Consumer<ActivationLedgerTest> given,
      List<String> accepted,
      List<PilotMessage.Started> started) {
    assertThat(ledger.arrive(request("a", 256), 0)).isEqualTo(Arrival.QUEUED);
    given.accept(this);

    assertThat(ledger.takeOwedAcks(DELAY, DELAY))
        .as(situation)
        .isEqualTo(new ActivationLedger.OwedAcks(accepted, started));
    assertThat(ledger.takeOwedAcks(10 * DELAY, DELAY))
        .as("owed once")
        .isEqualTo(new ActivationLedger.OwedAcks(List.of(), List.of()));
  }

  @Test
  void theSweepTakesOnlyWhatIsOwedForTheDelayInArrivalOrder() {
    ledger.arrive(request("a", 2048), 0);
    ledger.arrive(request("b", 2048), 50);
    ledger.arrive(request("c", 2048), 60);

    assertThat(ledger.takeOwedAcks(99, DELAY).accepted()).isEmpty();
    assertThat(ledger.takeOwedAcks(155, DELAY).accepted()).containsExactly("a", "b");
    assertThat(ledger.takeOwedAcks(160, DELAY).accepted()).containsExactly("c");
  }

  // ---- cancel ----

  @Test
  void aCancelDropsAQueuedActivationAndTheRestMoveUp() {
    queue("big", 1024);
    queue("a", 256);
    queue("b", 256);

    assertThat(ledger.cancel("big")).isTrue();
    startWhatFits();

    assertThat(run).containsExactly("a", "b");
  }

  @Test
  void anActivationAlreadyStartedRunsOnAfterItsCancel() {
    running("a");
    assertThat(ledger.begin(request("a", 256), 1)).isEqualTo(Begin.RUN);

    assertThat(ledger.cancel("a")).isFalse();

    assertThat(ledger.finish(request("a", 256)))
        .isEqualTo(new ActivationLedger.Finished(true, true, false));
    assertThat(ledger.arrive(request("a", 256)))
        .as("its cancel is not remembered")
        .isEqualTo(Arrival.QUEUED);
  }

  /**
   * The cold-burst loop (issue 25): the pilot ended an activation (here: its runtime could not
   * start, so it never began) before its acknowledgement reached a starved balancer, which then
   * cancels it and sends the same id again. The cancel withdraws the copy that ended, not the next
   * send: the next send runs (it used to be dropped silently, time out, be cancelled again, 15
   * times).
   */
  @Test
  void aCancelAfterTheActivationEndedHereDoesNotDropItsNextSend() {
    running("a");
    assertThat(ledger.finish(request("a", 256)).mine()).isTrue();

    assertThat(ledger.cancel("a")).isFalse();

    assertThat(ledger.arrive(request("a", 256))).isEqualTo(Arrival.QUEUED);
    startWhatFits();
    assertThat(ledger.begin(request("a", 256), 1)).isEqualTo(Begin.RUN);
  }

  @Test
  void aCancelAfterAStartedActivationEndedDoesNotDropItsNextSendEither() {
    running("a");
    assertThat(ledger.begin(request("a", 256), 1)).isEqualTo(Begin.RUN);
    ledger.finish(request("a", 256));

    ledger.cancel("a");

    assertThat(ledger.arrive(request("a", 256))).isEqualTo(Arrival.QUEUED);
  }

  // ---- drain and leave ----

  @Test
  void aDrainHandsBackTheQueueOnceAndKeepsWhatRuns() {
    running("r");
    queue("q1", 1024);
    queue("q2", 256);
    Instant until = Instant.parse("2026-01-01T00:00:10Z");
    assertThat(ledger.leaveBy()).isEmpty();

    assertThat(ledger.drain(until)).contains(List.of("q1", "q2"));

    assertThat(ledger.drain(until.plusSeconds(5))).as("once").isEmpty();
    assertThat(ledger.leaveBy()).contains(until);
    assertThat(ledger.load()).isEqualTo(new ActivationLedger.Load(768, 1, true));
    assertThat(ledger.drained()).isFalse();
    assertThat(ledger.finish(request("r", 256)).draining()).isTrue();
    assertThat(ledger.drained()).isTrue();
  }

  @Test
  void noDrainOnceThePilotHasLeft() {
    left.set(true);

    assertThat(ledger.drain(Instant.MAX)).isEmpty();
    assertThat(ledger.leaveBy()).isEmpty();
    assertThat(ledger.drained()).isFalse();
  }

  @Test
  void leavingTakesWhatRunsInStartOrderSayingWhetherEachStarted() {
    running("a");
    running("b");
    running("c");
    ledger.begin(request("b", 256), 1);
    ledger.begin(Requests.retrySafe(request("c", 256)), 1);

    assertThat(ledger.takeRunning())
        .containsExactly(
            new PilotMessage.HandBack.Item("a", false),
            new PilotMessage.HandBack.Item("b", true),
            new PilotMessage.HandBack.Item("c", true));

    assertThat(ledger.takeRunning()).isEmpty();
    assertThat(ledger.finish(request("b", 256)))
        .isEqualTo(new ActivationLedger.Finished(false, false, false));
  }

  private static List<String> words(String s) {
    return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
  }
}

package io.hpcwhisk.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.testkit.FakeBalancer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The pilot's side of protocol minor 1 against a balancer double that announces it: golden samples
 * sent as wire JSON, {@code started}, hand-backs with per-activation {@code started}, cancel before
 * start (also before arrival), {@code ping}/{@code pong}, and a runtime that cannot start reported
 * as the pilot's fault.
 */
class PilotMinorOneTest extends PilotFixture {

  @Override
  FakeBalancer startBalancer() throws Exception {
    return FakeBalancer.start(TOKEN).announceMinor(PilotProtocol.MINOR);
  }

  private void startPilot(int memoryMb, Duration grace, Duration ackDelay) {
    startPilot(
        identity(memoryMb, Instant.now().plusSeconds(600)),
        settings().withGrace(grace).withAckDelay(ackDelay));
    registered();
    // heartbeats prove the pilot has taken the registration (and the balancer's minor) in
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> balancer.pilot(PILOT).orElseThrow().lastHeartbeat().isPresent());
  }

  private void startPilot(int memoryMb) {
    startPilot(memoryMb, Duration.ofSeconds(10), Duration.ofMillis(100));
  }

  @Test
  void announcesMinorOneAndReportsStartedBeforeCompletedForTheGoldenActivateSample() {
    startPilot(512);
    assertThat(balancer.pilot(PILOT).orElseThrow().register().orElseThrow().minor())
        .isEqualTo(PilotProtocol.MINOR);

    balancer.sendRaw(PILOT, PilotProtocol.sample("activate.json"));

    await().atMost(Duration.ofSeconds(20)).until(() -> balancer.outcome("a1b2").isPresent());
    assertThat(balancer.outcome("a1b2").orElseThrow().status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(balancer.started()).containsExactly("a1b2");
    var received = balancer.pilot(PILOT).orElseThrow().received();
    int startedAt =
        indexOf(
            received, m -> m instanceof PilotMessage.Started s && s.activationId().equals("a1b2"));
    int completedAt = indexOf(received, m -> m instanceof PilotMessage.Completed);
    assertThat(startedAt).isNotNegative().isLessThan(completedAt);
    assertThat(balancer.completed("a1b2").orElseThrow().fault()).isNull();
  }

  @Test
  void aRetrySafeActivationReportsItsStartOnlyWhenItRunsPastTheAcknowledgementDelay() {
    // a 1 s delay: a warm 1 ms run ends well within it even on a loaded machine, a 2.5 s run does
    // not
    startPilot(512, Duration.ofSeconds(10), Duration.ofSeconds(1));
    balancer.activate(
        PILOT,
        Requests.retrySafe(Requests.sleeping("warm-up", 1, 256))); // a warm runtime for "quick"
    await().atMost(Duration.ofSeconds(20)).until(() -> balancer.outcome("warm-up").isPresent());

    balancer.activate(PILOT, Requests.retrySafe(Requests.sleeping("quick", 1, 256)));
    await().atMost(Duration.ofSeconds(20)).until(() -> balancer.outcome("quick").isPresent());
    balancer.activate(PILOT, Requests.retrySafe(Requests.sleeping("slow", 2500, 256)));
    balancer.activate(PILOT, Requests.sleeping("not-retry-safe", 1, 256));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                balancer.outcome("slow").isPresent()
                    && balancer.outcome("not-retry-safe").isPresent());
    assertThat(balancer.started()).contains("slow", "not-retry-safe");
    var received = balancer.pilot(PILOT).orElseThrow().received();
    int startedAt =
        indexOf(
            received, m -> m instanceof PilotMessage.Started s && s.activationId().equals("slow"));
    int completedAt =
        indexOf(
            received,
            m ->
                m instanceof PilotMessage.Completed c && c.outcome().activationId().equals("slow"));
    assertThat(startedAt)
        .as("a run past the delay reports its start first")
        .isNotNegative()
        .isLessThan(completedAt);
    assertThat(
            indexOf(
                received,
                m -> m instanceof PilotMessage.Accepted a && a.activationId().equals("quick")))
        .as("no 'accepted' frame for it either")
        .isNegative();
    assertThat(balancer.started()).doesNotContain("quick");
  }

  @Test
  void answersTheGoldenPingSampleWithPong() {
    startPilot(512);

    balancer.sendRaw(PILOT, PilotProtocol.sample("ping.json"));

    await().atMost(Duration.ofSeconds(10)).until(() -> balancer.pongs().contains("7"));
  }

  @Test
  void aCancelledActivationThatHasNotStartedNeverRunsAlsoWhenTheCancelArrivesFirst() {
    startPilot(256);
    balancer.activate(PILOT, Requests.sleeping("busy", 1500, 256));
    balancer.activate(PILOT, Requests.sleeping("waiting", 10, 256));
    await().atMost(Duration.ofSeconds(20)).until(() -> balancer.accepted().size() == 2);

    balancer.cancel(PILOT, "waiting");
    balancer.cancel(PILOT, "ghost");
    balancer.activate(PILOT, Requests.sleeping("ghost", 10, 256));
    balancer.activate(PILOT, Requests.sleeping("after", 10, 256));

    await().atMost(Duration.ofSeconds(20)).until(() -> balancer.outcome("after").isPresent());
    assertThat(balancer.outcome("busy")).isPresent();
    assertThat(balancer.outcome("waiting")).isEmpty();
    assertThat(balancer.outcome("ghost")).isEmpty();
    assertThat(balancer.started()).containsExactly("busy", "after");
    // a minor-1 balancer took them back when it cancelled: no hand-back answers
    assertThat(balancer.handedBack()).isEmpty();
  }

  @Test
  void aDrainHandsBackEachActivationSayingWhetherItStarted() {
    startPilot(256, Duration.ofSeconds(3), Duration.ofMillis(100));
    balancer.activate(PILOT, Requests.sleeping("long", 30_000, 256));
    balancer.activate(PILOT, Requests.sleeping("queued", 10, 256));
    await().atMost(Duration.ofSeconds(20)).until(() -> balancer.started().contains("long"));

    pilot.terminate();

    assertThat(exit.join()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> balancer.handedBackStarted().size() == 2);
    assertThat(balancer.handedBackStarted())
        .containsEntry("long", true)
        .containsEntry("queued", false);
  }

  @Test
  void aRuntimeThatCannotStartIsReportedAsThePilotsFault() throws Exception {
    startPilot(512);
    // a file where the runtimes' directories go (in this start's own directory under the work dir):
    // no runtime
    // can start
    Path actions;
    try (var starts = Files.list(work.resolve("rt"))) {
      actions =
          starts
              .filter(p -> p.getFileName().toString().startsWith("start-"))
              .findFirst()
              .orElseThrow()
              .resolve("actions");
    }
    if (Files.isDirectory(actions)) {
      try (var files = Files.walk(actions)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    Files.writeString(actions, "in the way");

    balancer.activate(PILOT, Requests.sleeping("no-runtime", 10, 256));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> balancer.completed("no-runtime").isPresent());
    PilotMessage.Completed completed = balancer.completed("no-runtime").orElseThrow();
    assertThat(completed.outcome().status()).isEqualTo(ActivationStatus.WHISK_ERROR);
    assertThat(completed.fault()).isEqualTo(PilotMessage.Completed.FAULT_RUNTIME_START);
    assertThat(balancer.started()).doesNotContain("no-runtime");
  }

  private static int indexOf(List<PilotMessage> list, Predicate<PilotMessage> p) {
    for (int i = 0; i < list.size(); i++) {
      if (p.test(list.get(i))) {
        return i;
      }
    }
    return -1;
  }
}

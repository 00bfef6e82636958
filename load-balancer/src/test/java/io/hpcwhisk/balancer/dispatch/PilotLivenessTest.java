package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.balancer.pilots.PilotConnection;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pilots declared offline under bursts: a live pilot whose frames wait for the dispatcher's lock
 * (held by a long critical section, as a burst's dispatches and frame writes hold it) must not look
 * silent. The lock is held here by a drain whose frame write to another pilot blocks; the clock
 * moves past the offline limit (3 s) meanwhile.
 */
class PilotLivenessTest {

  private final DispatcherFixture fx = new DispatcherFixture();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch holding = new CountDownLatch(1);

  @AfterEach
  void releaseTheLock() {
    release.countDown();
  }

  /** A pilot connection whose first frame after {@link #arm} blocks (under the lock). */
  private final class Slow implements PilotConnection {
    final String id = "slurm-31";
    final List<BalancerMessage> sent = new CopyOnWriteArrayList<>();
    final AtomicBoolean armed = new AtomicBoolean();
    volatile Runnable whileHolding = () -> {};
    volatile boolean closed;

    void arm(Runnable whileHolding) {
      this.whileHolding = whileHolding;
      armed.set(true);
    }

    @Override
    public void send(BalancerMessage message) {
      sent.add(message);
      if (armed.compareAndSet(true, false)) {
        holding.countDown();
        whileHolding.run();
        try {
          if (!release.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never released the lock");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void close(int code, String reason) {
      closed = true;
    }

    @Override
    public boolean isOpen() {
      return !closed;
    }

    @Override
    public String remote() {
      return "slow";
    }
  }

  private Slow slowPilot() throws Exception {
    Slow slow = new Slow();
    fx.dispatcher.register(
        slow, fx.register(slow.id, "31", 512, fx.now.get() + 3_600_000), fx.jobToken("31"));
    fx.dispatcher.message(
        slow.id, slow, new PilotMessage.Heartbeat(1, fx.now.get(), 0, 0, Map.of(), false, null));
    return slow;
  }

  /** Holds the dispatcher's lock in another thread until {@link #release}. */
  private Thread holdTheLock(Slow slow, Runnable whileHolding) throws InterruptedException {
    slow.arm(whileHolding);
    Thread holder = new Thread(() -> fx.dispatcher.drain(slow.id, "test"), "lock-holder");
    holder.start();
    assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
    return holder;
  }

  /**
   * Sends {@code message} from {@code pilot} in a new thread; returns once it waits for the lock.
   */
  private Thread sendBlocked(Runnable send) {
    Thread sender = new Thread(send, "pilot-frame");
    sender.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> sender.getState() == Thread.State.BLOCKED);
    return sender;
  }

  @Test
  void aTickRunByTheLockHolderWhileAFrameWaitsDoesNotDeclareItsPilotOffline() throws Exception {
    var live = fx.pilot("32", 512);
    RunRequest r = fx.request("alice", true);
    fx.dispatch(r);
    live.accept(r.activationId());
    Slow slow = slowPilot();
    CountDownLatch frameWaiting = new CountDownLatch(1);
    // the tick runs while the lock is held and the pilot's frame waits for it: certain order
    Thread holder =
        holdTheLock(
            slow,
            () -> {
              try {
                assertThat(frameWaiting.await(30, TimeUnit.SECONDS)).isTrue();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              fx.now.addAndGet(3_000); // 3.5 s after the pilot's last recorded heartbeat
              fx.dispatcher.tick(); // same thread: reentrant, ahead of the waiting frame
            });
    fx.now.addAndGet(500);
    Thread sender = sendBlocked(live::heartbeat); // received at 0.5 s
    frameWaiting.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() -> slow.closed); // the tick ran (slow: silent)
    release.countDown();
    holder.join(30_000);
    sender.join(30_000);
    assertThat(live.closed).as("live pilot closed as offline").isFalse();
    assertThat(fx.dispatcher.registeredJobs()).containsKey(live.id).doesNotContainKey(slow.id);
    assertThat(live.cancelled()).doesNotContain(r.activationId());
  }

  @Test
  void anyFrameCountsAsLivenessNotOnlyAHeartbeat() throws Exception {
    var live = fx.pilot("33", 512);
    RunRequest r = fx.request("alice", true);
    fx.dispatch(r);
    Slow slow = slowPilot();
    Thread holder = holdTheLock(slow, () -> {});
    fx.now.addAndGet(500);
    // its acknowledgement waits for the lock; its next heartbeat stays unread behind it
    Thread sender = sendBlocked(() -> live.accept(r.activationId()));
    fx.now.addAndGet(3_000);
    release.countDown();
    holder.join(30_000);
    sender.join(30_000);
    fx.dispatcher.tick(); // 3.5 s after its last heartbeat, just after its 'accepted' was handled
    assertThat(live.closed).as("live pilot closed as offline").isFalse();
    assertThat(fx.dispatcher.registeredJobs()).containsKey(live.id);
    // silence is still caught: nothing more from it for the offline limit
    fx.advance(3_100);
    assertThat(live.closed).as("silent pilot declared offline").isTrue();
    assertThat(fx.dispatcher.registeredJobs()).doesNotContainKey(live.id);
  }

  @Test
  void anAcknowledgementWaitingForTheLockPastItsDeadlineIsNotTimedOut() throws Exception {
    var live = fx.pilot("34", 512);
    RunRequest r = fx.request("alice", true);
    fx.dispatch(r); // must be acknowledged within 2 s
    Slow slow = slowPilot();
    CountDownLatch frameWaiting = new CountDownLatch(1);
    CountDownLatch ticked = new CountDownLatch(1);
    Thread holder =
        holdTheLock(
            slow,
            () -> {
              try {
                assertThat(frameWaiting.await(30, TimeUnit.SECONDS)).isTrue();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              fx.now.addAndGet(2_000); // 2.5 s after the dispatch: past the ack deadline
              fx.dispatcher.tick(); // reentrant, ahead of the waiting 'accepted'
              ticked.countDown();
            });
    fx.now.addAndGet(500);
    Thread sender = sendBlocked(() -> live.accept(r.activationId())); // arrived at 0.5 s
    frameWaiting.countDown();
    assertThat(ticked.await(30, TimeUnit.SECONDS)).isTrue();
    release.countDown();
    holder.join(30_000);
    sender.join(30_000);
    fx.dispatcher.tick();
    assertThat(live.cancelled()).as("cancelled as not acknowledged in time").isEmpty();
    assertThat(fx.dispatcher.snapshot().inFlight()).isEqualTo(1);
    live.complete(r.activationId());
    assertThat(fx.dispatcher.snapshot().inFlight()).isZero();
  }
}

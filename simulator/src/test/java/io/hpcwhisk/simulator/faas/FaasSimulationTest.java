package io.hpcwhisk.simulator.faas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed activation timelines against one or two pilots. */
class FaasSimulationTest {

  static final long S = 1000;

  @Test
  void routesQueuesAndReusesWarmRuntimes() {
    // One pilot ready 20 s..600 s with 512 MB. Three 256 MB, 1 s activations of one action at 100
    // s: two start at
    // once (cold: 1.5 s), the third waits for the first and then runs warm (1 s): done at 102.5 s.
    PilotInterval pilot = new PilotInterval("p1", 0, 20 * S, 600 * S, 600 * S, 600 * S);
    List<Invocation> invocations =
        List.of(
            new Invocation(100 * S, "/guest/a@1", 1000, 256),
            new Invocation(100 * S, "/guest/a@1", 1000, 256),
            new Invocation(100 * S, "/guest/a@1", 1000, 256));
    FaasResult r =
        new FaasSimulation(512, 500, 60_000, 60_000)
            .run(List.of(pilot), invocations.iterator(), 700 * S);
    assertThat(r.arrivals()).isEqualTo(3);
    assertThat(r.succeeded()).isEqualTo(3);
    assertThat(r.queued()).isEqualTo(1);
    assertThat(r.maxLatencyMs()).isEqualTo(2500);
    assertThat(r.timedOut()).isZero();
  }

  @Test
  void redispatchesWorkThatCannotFinishBeforeThePreemptedPilotLeaves() {
    // p1 is preempted at 100 s and gone at 105 s; a 30 s activation started on it at 90 s cannot
    // finish, so it
    // moves to p2 (ready at 50 s, first in probe order is irrelevant: p1 is gone) at 100 s and runs
    // cold again.
    PilotInterval p1 = new PilotInterval("p1", 0, 10 * S, 3600 * S, 100 * S, 105 * S);
    PilotInterval p2 = new PilotInterval("p2", 40 * S, 200 * S, 3600 * S, 3600 * S, 3600 * S);
    List<Invocation> invocations = List.of(new Invocation(90 * S, "/guest/long@1", 30_000, 256));
    FaasResult r =
        new FaasSimulation(512, 500, 300_000, 60_000)
            .run(List.of(p1, p2), invocations.iterator(), 4000 * S);
    assertThat(r.redispatched()).isEqualTo(1);
    assertThat(r.succeeded()).isEqualTo(1);
    // re-queued at 100 s, p2 ready at 200 s, cold run 30.5 s: latency 230.5 s - 90 s = 140.5 s
    assertThat(r.maxLatencyMs()).isEqualTo(140_500);
  }

  @Test
  void anActivationThatIsNotRetrySafeFailsWhenItsPilotLeavesInsteadOfRunningAgain() {
    // as above, but the action is not retry-safe: it had started on p1, so the balancer's rule ends
    // it
    // "pilot preempted" instead of running it again on p2
    PilotInterval p1 = new PilotInterval("p1", 0, 10 * S, 3600 * S, 100 * S, 105 * S);
    PilotInterval p2 = new PilotInterval("p2", 40 * S, 200 * S, 3600 * S, 3600 * S, 3600 * S);
    List<Invocation> invocations =
        List.of(
            new Invocation(90 * S, "/guest/long@1", 30_000, 256, false),
            new Invocation(90 * S, "/guest/short@1", 1_000, 256, false));
    FaasResult r =
        new FaasSimulation(512, 500, 300_000, 60_000)
            .run(List.of(p1, p2), invocations.iterator(), 4000 * S);
    assertThat(r.redispatched()).isZero();
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.succeeded()).as("the short one finishes on p1 before it leaves").isEqualTo(1);
  }

  @Test
  void aRetrySafeActivationIsStartedAtMostMaxAttemptsTimes() {
    // three pilots one after the other, each preempted while it runs the same long activation: it
    // is started
    // three times (balancer.max-attempts), re-dispatched twice, and then ends "pilot preempted"
    List<PilotInterval> pilots =
        List.of(
            new PilotInterval("p1", 0, 10 * S, 3600 * S, 100 * S, 100 * S),
            new PilotInterval("p2", 0, 100 * S, 3600 * S, 200 * S, 200 * S),
            new PilotInterval("p3", 0, 200 * S, 3600 * S, 300 * S, 300 * S));
    FaasResult r =
        new FaasSimulation(512, 0, 3_000_000, 60_000)
            .run(
                pilots,
                List.of(new Invocation(50 * S, "/guest/long@1", 1_000_000, 256)).iterator(),
                4000 * S);
    assertThat(r.redispatched()).isEqualTo(2);
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.succeeded()).isZero();
  }

  @Test
  void workHandedBackByPilotsPreemptedTogetherWaitsForAPilotThatStays() {
    // p1 and p2 get SIGTERM at the same instant (one batch job preempts both): what p1 hands back
    // does not go to
    // p2, which is leaving too, but waits for p3 (ready at 150 s) and runs there cold: 150 + 100.5
    // - 50 = 200.5 s
    PilotInterval p1 = new PilotInterval("p1", 0, 10 * S, 3600 * S, 100 * S, 102 * S);
    PilotInterval p2 = new PilotInterval("p2", 0, 10 * S, 3600 * S, 100 * S, 102 * S);
    PilotInterval p3 = new PilotInterval("p3", 0, 150 * S, 3600 * S, 3600 * S, 3600 * S);
    FaasResult r =
        new FaasSimulation(512, 500, 300_000, 60_000)
            .run(
                List.of(p1, p2, p3),
                List.of(new Invocation(50 * S, "/guest/long@1", 100_000, 256)).iterator(),
                4000 * S);
    assertThat(r.redispatched()).isEqualTo(1);
    assertThat(r.succeeded()).isEqualTo(1);
    assertThat(r.maxLatencyMs()).isEqualTo(200_500);
  }

  @Test
  void timesOutWhenNoPilotComesInTime() {
    PilotInterval late = new PilotInterval("p1", 0, 500 * S, 3600 * S, 3600 * S, 3600 * S);
    List<Invocation> invocations = List.of(new Invocation(10 * S, "/guest/a@1", 100, 256));
    FaasResult r =
        new FaasSimulation(512, 500, 60_000, 60_000)
            .run(List.of(late), invocations.iterator(), 4000 * S);
    assertThat(r.timedOut()).isEqualTo(1);
    assertThat(r.succeeded()).isZero();
  }

  @Test
  void syntheticStreamIsSeededAndOrdered() {
    var a = InvocationSources.open("synthetic:rate=5,seed=7,hours=0.1", Long.MAX_VALUE);
    var b = InvocationSources.open("synthetic:rate=5,seed=7,hours=0.1", Long.MAX_VALUE);
    long count = 0;
    long last = -1;
    while (a.hasNext()) {
      Invocation x = a.next();
      assertThat(b.next()).isEqualTo(x);
      assertThat(x.arrivalMs()).isGreaterThanOrEqualTo(last).isLessThanOrEqualTo(360_000);
      last = x.arrivalMs();
      count++;
    }
    assertThat(b.hasNext()).isFalse();
    assertThat(count).isBetween(1500L, 2100L);
  }
}

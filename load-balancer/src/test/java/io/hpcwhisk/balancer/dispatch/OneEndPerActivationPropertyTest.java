package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Under any schedule of invocations, acknowledgements, start reports, results, runtime start
 * failures, hand-backs (each activation flagged started or not), drains, lost pilots, new pilots
 * and passing time, once a healthy pilot serves what is left: every dispatched activation ended
 * exactly once, no retry-safe one failed unless it had been started max-attempts times (or waited
 * out the queue limit without a usable pilot), every other failed one says "pilot preempted", and
 * no memory stays reserved.
 */
class OneEndPerActivationPropertyTest {

  @Property(tries = 300)
  void everyActivationEndsExactlyOnce(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 120) int steps) throws Exception {
    Random random = new Random(seed);
    DispatcherFixture fx = new DispatcherFixture();
    Map<String, RunRequest> requests = new LinkedHashMap<>();
    Map<String, CompletableFuture<RunOutcome>> results = new LinkedHashMap<>();
    Map<String, AtomicInteger> ends = new LinkedHashMap<>();
    List<DispatcherFixture.FakePilot> live = new ArrayList<>();
    List<DispatcherFixture.FakePilot> gone = new ArrayList<>();
    int jobs = 100;
    for (int i = 0; i < steps; i++) {
      int op = random.nextInt(12);
      if (op <= 2) {
        RunRequest r =
            fx.request(
                random.nextBoolean() ? "a" : "b",
                random.nextInt(3) > 0,
                128 * (1 + random.nextInt(2)));
        requests.put(r.activationId(), r);
        AtomicInteger n = new AtomicInteger();
        ends.put(r.activationId(), n);
        results.put(r.activationId(), fx.dispatch(r).whenComplete((o, t) -> n.incrementAndGet()));
      } else if (op == 3 && live.size() < 3) {
        live.add(fx.pilot(Integer.toString(jobs++), 256 * (1 + random.nextInt(2))));
      } else if (op == 4 && !live.isEmpty()) {
        var p = live.get(random.nextInt(live.size()));
        held(p).stream().filter(id -> random.nextBoolean()).forEach(p::accept);
      } else if (op == 5 && !live.isEmpty() || op == 6 && !gone.isEmpty()) {
        // a result, possibly late from a pilot that is gone
        var p =
            op == 5 ? live.get(random.nextInt(live.size())) : gone.get(random.nextInt(gone.size()));
        List<String> ids = new ArrayList<>(p.activated());
        if (!ids.isEmpty()) {
          p.complete(ids.get(random.nextInt(ids.size())));
        }
      } else if (op == 7 && !live.isEmpty()) {
        var p = live.get(random.nextInt(live.size()));
        p.drain();
        List<String> ids = held(p);
        if (!ids.isEmpty()) {
          p.handBack(
              false, ids.get(random.nextInt(ids.size()))); // its 'started' reports still count
        }
      } else if (op == 10 && !live.isEmpty()) {
        // a start report, possibly from a pilot told to cancel it
        var p = live.get(random.nextInt(live.size()));
        List<String> ids = held(p);
        if (!ids.isEmpty()) {
          p.started(ids.get(random.nextInt(ids.size())));
        }
      } else if (op == 11 && !live.isEmpty()) {
        var p = live.get(random.nextInt(live.size()));
        List<String> ids = held(p);
        if (!ids.isEmpty()) {
          if (random.nextBoolean()) {
            p.runtimeStartFailed(ids.get(random.nextInt(ids.size())));
          } else {
            p.drain();
            p.handBack(random.nextBoolean(), ids.get(random.nextInt(ids.size())));
          }
        }
      } else if (op == 8 && !live.isEmpty()) {
        var p = live.remove(random.nextInt(live.size()));
        p.lose();
        gone.add(p);
      } else {
        fx.now.addAndGet(random.nextInt(2500));
        live.forEach(DispatcherFixture.FakePilot::heartbeat);
        fx.dispatcher.tick();
        live.removeIf(
            p -> {
              if (p.closed) {
                gone.add(p);
              }
              return p.closed;
            });
      }
    }
    // a healthy pilot serves what is left; old pilots keep heartbeating but do nothing
    var healer = fx.pilot("999", 4096);
    Set<String> served = new HashSet<>();
    for (int round = 0;
        round < 200 && results.values().stream().anyMatch(f -> !f.isDone());
        round++) {
      for (String id : healer.activated()) {
        if (served.add(id)) {
          healer.accept(id);
          healer.complete(id);
        }
      }
      fx.now.addAndGet(500);
      healer.heartbeat();
      fx.dispatcher.tick();
    }
    assertThat(results.values()).allMatch(CompletableFuture::isDone);
    assertThat(ends.values()).allMatch(n -> n.get() == 1);
    assertThat(fx.ended()).isEqualTo(requests.size());
    for (var e : results.entrySet()) {
      ActivationResponse response = e.getValue().join().response();
      if (!response.success()) {
        String error = response.result().get("error").asText();
        if (error.startsWith("No pilot could take the activation within")) {
          continue; // the schedule left it without a usable pilot for the whole wait limit
        }
        if (error.contains("could not start the action's runtime")) {
          assertThat(error).containsAnyOf("not retry-safe", "3 pilots could not start it");
          continue; // the pilot's fault: ends once it is not retry-safe or failed on max-attempts
          // pilots
        }
        if (error.startsWith("The activation was sent to pilots")) {
          continue; // sent 15 times, never started
        }
        if (requests.get(e.getKey()).retrySafe()) {
          assertThat(error).contains("started 3 times");
        } else {
          assertThat(error).startsWith("pilot preempted");
        }
      }
    }
    var snapshot = fx.dispatcher.snapshot();
    assertThat(snapshot.inFlight()).isZero();
    assertThat(snapshot.queued()).isZero();
    assertThat(snapshot.reservedMbByPilot().values()).allMatch(mb -> mb == 0);
  }

  /**
   * What the balancer sent to this pilot and it has not answered yet (as far as the test knows).
   */
  private static List<String> held(DispatcherFixture.FakePilot p) {
    return new ArrayList<>(new LinkedHashSet<>(p.activated()));
  }
}

package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.balancer.pilots.PilotEvents;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Under any schedule of invocations, registrations, reconnects under the same pilot id, attempts to
 * register over a live pilot, lost pilots, passing time and messages from any connection about any
 * activation (acknowledgements, starts, hand-backs, results, many of them about activations never
 * sent over that connection): a result from a connection that an activation was never sent over
 * never becomes its record, and an attempt on a live pilot id is always refused.
 */
class ForeignResultPropertyTest {

  @Property(tries = 200)
  void aResultFromAConnectionThatWasNotSentTheActivationNeverBecomesItsRecord(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 150) int steps) throws Exception {
    Random random = new Random(seed);
    DispatcherFixture fx = new DispatcherFixture();
    Map<String, CompletableFuture<RunOutcome>> results = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    List<DispatcherFixture.FakePilot> live = new ArrayList<>();
    List<DispatcherFixture.FakePilot> gone = new ArrayList<>();
    Map<Integer, DispatcherFixture.FakePilot> bySerial = new HashMap<>();
    int hijacks = 0;
    for (int i = 0; i < steps; i++) {
      int op = random.nextInt(10);
      List<DispatcherFixture.FakePilot> any = new ArrayList<>(live);
      any.addAll(gone);
      if (op <= 1) {
        RunRequest r = fx.request(random.nextBoolean() ? "a" : "b", random.nextBoolean());
        ids.add(r.activationId());
        results.put(r.activationId(), fx.dispatch(r));
      } else if (op == 2 && live.size() < 4) {
        // a new job, or the job of a lost pilot reconnecting (or someone with its credential)
        String job =
            !gone.isEmpty() && random.nextBoolean()
                ? gone.get(random.nextInt(gone.size())).job
                : Integer.toString(100 + random.nextInt(6));
        if (live.stream().noneMatch(p -> p.job.equals(job))) {
          var p = fx.pilot(job, 512);
          live.add(p);
          bySerial.put(p.serial, p);
        }
      } else if (op == 3 && !live.isEmpty()) {
        var target = live.get(random.nextInt(live.size()));
        var hijacker = fx.new FakePilot(target.job);
        assertThatThrownBy(
                () ->
                    fx.dispatcher.register(
                        hijacker,
                        fx.register(hijacker.id, target.job, 512, fx.now.get() + 60_000),
                        fx.jobToken(target.job)))
            .isInstanceOf(PilotEvents.Refusal.class);
        assertThat(hijacker.sent).isEmpty();
        hijacks++;
      } else if (op == 4 && !live.isEmpty()) {
        var p = live.remove(random.nextInt(live.size()));
        p.lose();
        gone.add(p);
      } else if (op >= 5 && op <= 7 && !any.isEmpty() && !ids.isEmpty()) {
        // any connection says something about any activation
        var p = any.get(random.nextInt(any.size()));
        String id =
            random.nextInt(3) == 0 || p.activated().isEmpty()
                ? ids.get(random.nextInt(ids.size()))
                : p.activated().get(random.nextInt(p.activated().size()));
        switch (random.nextInt(4)) {
          case 0 -> p.accept(id);
          case 1 -> p.started(id);
          case 2 -> p.handBack(random.nextBoolean(), id);
          default -> p.complete(id);
        }
      } else {
        fx.now.addAndGet(random.nextInt(1500));
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
    // a healthy pilot serves what is left
    live.forEach(DispatcherFixture.FakePilot::lose);
    var healer = fx.pilot("999", 4096);
    bySerial.put(healer.serial, healer);
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
    assertThat(fx.ended()).isEqualTo(results.size());
    for (var e : results.entrySet()) {
      JsonNode conn = e.getValue().join().response().result().get("conn");
      if (conn != null) {
        var by = bySerial.get(conn.asInt());
        assertThat(by.activated())
            .as(
                "activation %s ended with the result of connection %d (%s)",
                e.getKey(), conn.asInt(), by.id)
            .contains(e.getKey());
      }
    }
    assertThat(
            fx.counter(
                "whisk_pilot_registrations_refused", "reason", PilotMeters.REFUSED_ID_IN_USE))
        .isEqualTo(hijacks);
  }
}

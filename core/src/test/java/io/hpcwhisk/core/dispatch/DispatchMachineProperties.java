package io.hpcwhisk.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.dispatch.Rig.Link;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The dispatch rules under random schedules of submissions, registrations, heartbeats,
 * acknowledgements, start reports, results, runtime start failures, hand-backs that say started or
 * not, drains, lost pilots, messages from connections an activation was never sent over, and
 * passing time: once a healthy pilot serves what is left, every submitted activation ended in
 * exactly one terminal effect, nothing stays queued or reserved, and an activation that is not
 * retry-safe is never sent again once it may have started.
 */
class DispatchMachineProperties {

  @Property(tries = 400)
  void everyActivationEndsInExactlyOneTerminalEffectAndUnsafeWorkNeverRunsTwice(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 150) int steps) {
    run(seed, steps, false);
  }

  /**
   * The same with the ownership lease lapsing and coming back at random ({@link
   * DispatchEvent.Held}, {@link DispatchEvent.Disowned} of random activations, {@link
   * DispatchEvent.Resumed}): nothing is sent to a pilot while held, and a disowned activation ends
   * once, as disowned.
   */
  @Property(tries = 400)
  void whileHeldNothingIsSentAndDisownedWorkEndsOnceAsDisowned(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 150) int steps) {
    run(seed, steps, true);
  }

  private void run(long seed, int steps, boolean fencing) {
    Random random = new Random(seed);
    Rig b = new Rig();
    Map<String, Boolean> retrySafe = new LinkedHashMap<>();
    Map<String, Integer> ends = new HashMap<>();
    Set<String> mayHaveStarted = new HashSet<>();
    List<Link> live = new ArrayList<>();
    List<Link> gone = new ArrayList<>();
    int jobs = 100;
    int ids = 0;
    for (int i = 0; i < steps; i++) {
      int op = random.nextInt(fencing ? 16 : 13);
      List<DispatchEffect<Link>> effects;
      if (op == 13) {
        effects = b.on(new DispatchEvent.Held<>());
      } else if (op == 14 && ids > 0) {
        Set<String> lost = new HashSet<>();
        for (int k = random.nextInt(3); k >= 0; k--) {
          lost.add("a" + random.nextInt(ids));
        }
        effects = b.on(new DispatchEvent.Disowned<>(lost, "taken over"));
        for (DispatchEffect<Link> e : effects) {
          if (e instanceof DispatchEffect.Complete<Link> c) {
            assertThat(lost).contains(c.activationId());
            assertThat(c.label()).isEqualTo(DispatchEffect.DISOWNED);
          }
        }
      } else if (op == 15) {
        effects = b.on(new DispatchEvent.Resumed<>());
      } else if (op <= 2) {
        String id = "a" + ids++;
        boolean safe = random.nextInt(3) > 0;
        retrySafe.put(id, safe);
        effects =
            b.on(
                new DispatchEvent.Submitted<>(
                    new Activation(
                        id,
                        random.nextBoolean() ? "a" : "b",
                        "/a/f" + random.nextInt(3) + "@0.0.1",
                        "nodejs:20",
                        128 * (1 + random.nextInt(2)),
                        60_000,
                        safe,
                        b.nowMs)));
      } else if (op == 3 && live.size() < 3) {
        int before = b.effects.size();
        live.add(b.pilot(Integer.toString(jobs++), 256 * (1 + random.nextInt(2))));
        effects = b.effects.subList(before, b.effects.size());
      } else if (op <= 8 && !(live.isEmpty() && gone.isEmpty()) && ids > 0) {
        // any connection, live or gone, says something about an activation it holds or any other
        List<Link> any = new ArrayList<>(live);
        any.addAll(gone);
        Link p = any.get(random.nextInt(any.size()));
        List<String> held = b.sentTo(p);
        String id =
            held.isEmpty() || random.nextInt(4) == 0
                ? "a" + random.nextInt(ids)
                : held.get(random.nextInt(held.size()));
        effects =
            switch (op) {
              case 4 -> b.accept(p, id);
              case 5 -> b.start(p, id);
              case 6 ->
                  random.nextInt(4) == 0
                      ? b.on(
                          new DispatchEvent.Completed<>(
                              p.pilotId,
                              p,
                              id,
                              "whisk_internal_error",
                              true,
                              "could not start the runtime"))
                      : b.on(
                          new DispatchEvent.Completed<>(p.pilotId, p, id, "success", false, null));
              case 7 -> {
                b.on(new DispatchEvent.Draining<>(p.pilotId, p, "SIGTERM"));
                boolean started = random.nextBoolean();
                yield b.on(
                    new DispatchEvent.HandedBack<>(
                        p.pilotId,
                        p,
                        List.of(new DispatchEvent.HandedBack.Item(id, started)),
                        "draining"));
              }
              default -> {
                b.heartbeat(p);
                yield List.of();
              }
            };
      } else if (op == 9 && !live.isEmpty()) {
        Link p = live.remove(random.nextInt(live.size()));
        effects = b.lose(p);
        gone.add(p);
      } else {
        b.nowMs += random.nextInt(2500);
        live.forEach(b::heartbeat);
        effects = b.on(new DispatchEvent.Tick<>());
        for (DispatchEffect<Link> e : effects) {
          if (e instanceof DispatchEffect.Close<Link> c) {
            live.remove(c.to());
            gone.add(c.to());
          }
        }
      }
      if (b.state.held()) {
        assertThat(effects)
            .as("nothing is sent while held")
            .noneMatch(e -> e instanceof DispatchEffect.Activate<Link>);
      }
      check(b, effects, retrySafe, ends, mayHaveStarted);
    }
    check(b, b.on(new DispatchEvent.Resumed<>()), retrySafe, ends, mayHaveStarted);
    // a healthy pilot serves what is left; the others say nothing more
    Link healer = b.pilot("999", 4096);
    Set<String> served = new HashSet<>();
    for (int round = 0; round < 300 && ends.size() < retrySafe.size(); round++) {
      for (String id : b.sentTo(healer)) {
        if (served.add(id)) {
          check(b, b.start(healer, id), retrySafe, ends, mayHaveStarted);
          check(b, b.complete(healer, id), retrySafe, ends, mayHaveStarted);
        }
      }
      b.nowMs += 500;
      b.heartbeat(healer);
      live.forEach(b::heartbeat);
      check(b, b.on(new DispatchEvent.Tick<>()), retrySafe, ends, mayHaveStarted);
    }
    assertThat(ends.keySet()).as("every activation ended").isEqualTo(retrySafe.keySet());
    assertThat(ends.values()).as("each exactly once").allMatch(n -> n == 1);
    assertThat(b.state.inFlight()).isZero();
    assertThat(b.state.queued()).isZero();
    assertThat(b.state.reservedMbByPilot().values()).allMatch(mb -> mb == 0);
  }

  /**
   * Counts the step's terminal effects; no unsafe activation is sent again once it may have
   * started.
   */
  private static void check(
      Rig b,
      List<DispatchEffect<Link>> effects,
      Map<String, Boolean> retrySafe,
      Map<String, Integer> ends,
      Set<String> mayHaveStarted) {
    for (DispatchEffect<Link> e : effects) {
      if (e instanceof DispatchEffect.Complete<Link> c) {
        ends.merge(c.activationId(), 1, Integer::sum);
        if (c.error() != null && c.error().startsWith("pilot preempted")) {
          assertThat(!retrySafe.get(c.activationId()) || c.error().contains("started 3 times"))
              .as("%s: %s", c.activationId(), c.error())
              .isTrue();
        }
      } else if (e instanceof DispatchEffect.Activate<Link> a) {
        assertThat(retrySafe.get(a.activationId()) || !mayHaveStarted.contains(a.activationId()))
            .as(
                "activation %s is not retry-safe and may have started: it must not be sent again",
                a.activationId())
            .isTrue();
      }
    }
    for (String id : retrySafe.keySet()) {
      Flight<Link> f = b.state.flight(id);
      if (f != null && f.starts() > 0) {
        mayHaveStarted.add(id);
      }
    }
  }
}

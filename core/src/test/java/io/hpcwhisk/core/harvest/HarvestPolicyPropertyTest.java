package io.hpcwhisk.core.harvest;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.cluster.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Invariants every policy keeps, on random snapshots and fleets. */
class HarvestPolicyPropertyTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final HarvestTarget TARGET = new HarvestTarget("whisk", Optional.of("lowprio"));

  record Case(PolicyParams params, ClusterSnapshot snapshot, Fleet fleet) {}

  @Property(tries = 400)
  void pilotsOnlyGoToTheHarvestPartitionAndItsNodes(@ForAll("cases") Case c) {
    List<Intent> intents = HarvestPolicies.create(c.params()).decide(c.snapshot(), c.fleet());

    for (Intent intent : intents) {
      if (intent instanceof Intent.SubmitPilot submit) {
        assertThat(submit.shape().partition()).isEqualTo("whisk");
        assertThat(submit.shape().qos()).isEqualTo(TARGET.qos());
        submit
            .shape()
            .targetNode()
            .ifPresent(
                node ->
                    assertThat(c.snapshot().node(node))
                        .as("target %s is a harvestable node of the partition", node)
                        .hasValueSatisfying(n -> assertThat(n.state().harvestable()).isTrue()));
      }
    }
  }

  @Property(tries = 400)
  void noTargetedPilotIsLongerThanItsWindow(@ForAll("cases") Case c) {
    List<Intent> intents = HarvestPolicies.create(c.params()).decide(c.snapshot(), c.fleet());

    for (Intent intent : intents) {
      if (intent instanceof Intent.SubmitPilot submit && submit.shape().targeted()) {
        Window window =
            c.snapshot()
                .node(submit.shape().targetNode().get())
                .orElseThrow()
                .window()
                .orElseThrow();
        assertThat(window.fits(submit.shape().time()))
            .as("%s fits %s", submit.shape(), window)
            .isTrue();
      }
    }
  }

  @Property(tries = 400)
  void pendingPilotsNeverExceedTheBoundAndOnlyOurPilotsAreCancelled(@ForAll("cases") Case c) {
    HarvestPolicy policy = HarvestPolicies.create(c.params());
    List<Intent> intents = policy.decide(c.snapshot(), c.fleet());

    Set<JobId> cancelled = new HashSet<>();
    int pendingAfter = c.fleet().pending().size();
    for (Intent intent : intents) {
      if (intent instanceof Intent.CancelPilot cancel) {
        assertThat(c.fleet().get(cancel.jobId()))
            .as("cancels only our active pilots")
            .hasValueSatisfying(p -> assertThat(p.state().active()).isTrue());
        assertThat(cancelled.add(cancel.jobId())).as("cancelled once: %s", cancel.jobId()).isTrue();
        if (c.fleet().get(cancel.jobId()).get().state() == PilotState.PENDING) {
          pendingAfter--;
        }
      } else {
        pendingAfter++;
      }
      assertThat(intent.reason()).isNotBlank();
    }
    assertThat(pendingAfter).isLessThanOrEqualTo(policy.maxPending());
  }

  @Property(tries = 100)
  void decisionsAreDeterministic(@ForAll("cases") Case c, @ForAll("cases") Case d) {
    HarvestPolicy first = HarvestPolicies.create(c.params());
    HarvestPolicy second = HarvestPolicies.create(c.params());

    assertThat(first.decide(d.snapshot(), d.fleet()))
        .isEqualTo(second.decide(d.snapshot(), d.fleet()));
    assertThat(first.decide(c.snapshot(), c.fleet()))
        .isEqualTo(second.decide(c.snapshot(), c.fleet()));
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<PolicyParams> params =
        Arbitraries.oneOf(
            Arbitraries.integers().between(0, 4).map(k -> new FibParams(minutes(2, 4, 8), k)),
            Arbitraries.integers()
                .between(0, 10)
                .map(k -> new VarParams(k, Duration.ofHours(2), Duration.ofMinutes(2))),
            Combinators.combine(
                    Arbitraries.integers().between(0, 4),
                    Arbitraries.integers().between(0, 10),
                    Arbitraries.integers().between(0, 90),
                    Arbitraries.integers().between(1, 2),
                    Arbitraries.integers().between(0, 120))
                .as(
                    (pool, max, margin, minPilot, cost) ->
                        new AdaptiveParams(
                            Duration.ofMinutes(minPilot),
                            Duration.ofMinutes(120),
                            Duration.ofSeconds(margin),
                            pool,
                            (cost % 5) / 8.0,
                            max,
                            0.9,
                            16,
                            100,
                            Duration.ofSeconds(cost / 4),
                            Duration.ofSeconds(cost),
                            Duration.ofMinutes(cost % 7),
                            cost % 3)));
    Arbitrary<List<Node>> nodes =
        Arbitraries.integers()
            .between(1, 8)
            .flatMap(n -> nodeAt(0).list().ofSize(n))
            .map(HarvestPolicyPropertyTest::renamed);
    return Combinators.combine(params, nodes, pilotSeeds().list().ofMaxSize(30))
        .as(
            (p, ns, seeds) -> {
              ClusterSnapshot snapshot = new ClusterSnapshot(NOW, TARGET, ns, List.of());
              return new Case(p, snapshot, fleet(seeds, ns));
            });
  }

  static List<Duration> minutes(long... m) {
    List<Duration> out = new ArrayList<>();
    for (long x : m) {
      out.add(Duration.ofMinutes(x));
    }
    return out;
  }

  Arbitrary<Node> nodeAt(int unused) {
    Arbitrary<NodeState> state = Arbitraries.of(NodeState.class);
    Arbitrary<Optional<Long>> windowSeconds =
        Arbitraries.longs().between(0, 4 * 3600).optional(0.7);
    return Combinators.combine(state, windowSeconds)
        .as(
            (s, w) ->
                s.harvestable()
                    ? Node.free(
                        "x",
                        s,
                        w.map(sec -> Window.until(NOW, NOW.plusSeconds(sec)))
                            .orElse(Window.unbounded(NOW)))
                    : Node.busy("x", s));
  }

  static List<Node> renamed(List<Node> nodes) {
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      out.add(new Node("n" + (i + 1), n.state(), n.window()));
    }
    return out;
  }

  /**
   * The adaptive policy learns across passes: feed one instance a sequence of random snapshots 15 s
   * apart (its gap estimate then holds finished, censored and open gaps) and check the invariants
   * after every pass.
   */
  @Property(tries = 150)
  void aLearningAdaptivePolicyKeepsItsInvariantsOnEveryPass(
      @ForAll("passes") List<List<Node>> passes, @ForAll("seedLists") List<PilotSeed> seeds) {
    HarvestPolicy policy =
        HarvestPolicies.create(
            new AdaptiveParams(
                Duration.ofMinutes(1),
                Duration.ofMinutes(120),
                Duration.ofSeconds(5),
                1,
                0.5,
                6,
                0.9,
                8,
                100,
                Duration.ofSeconds(20),
                Duration.ofSeconds(30)));
    for (int i = 0; i < passes.size(); i++) {
      Instant now = NOW.plusSeconds(15L * i);
      List<Node> nodes =
          passes.get(i).stream()
              .map(
                  n ->
                      new Node(
                          n.name(),
                          n.state(),
                          n.window()
                              .map(
                                  w ->
                                      w.bounded()
                                          ? Window.until(now, now.plus(w.length().get()))
                                          : Window.unbounded(now))))
              .toList();
      ClusterSnapshot snapshot = new ClusterSnapshot(now, TARGET, nodes, List.of());
      Fleet fleet = fleet(seeds.subList(0, Math.min(seeds.size(), i * 3)), nodes);
      List<Intent> intents = policy.decide(snapshot, fleet);

      int pendingAfter = fleet.pending().size();
      for (Intent intent : intents) {
        assertThat(intent.reason()).startsWith("adaptive: ");
        if (intent instanceof Intent.SubmitPilot submit) {
          pendingAfter++;
          assertThat(submit.shape().partition()).isEqualTo("whisk");
          assertThat(submit.shape().time()).isLessThanOrEqualTo(Duration.ofMinutes(120));
          submit
              .shape()
              .targetNode()
              .ifPresent(
                  name ->
                      assertThat(
                              snapshot
                                  .node(name)
                                  .orElseThrow()
                                  .window()
                                  .orElseThrow()
                                  .fits(submit.shape().time()))
                          .as("%s fits its window", submit.shape())
                          .isTrue());
        } else if (fleet.get(((Intent.CancelPilot) intent).jobId()).orElseThrow().state()
            == PilotState.PENDING) {
          pendingAfter--;
        }
      }
      assertThat(pendingAfter).isLessThanOrEqualTo(policy.maxPending());
    }
  }

  @Provide
  Arbitrary<List<List<Node>>> passes() {
    Arbitrary<List<Node>> pass = nodeAt(0).list().ofSize(6).map(HarvestPolicyPropertyTest::renamed);
    return pass.list().ofMinSize(2).ofMaxSize(12);
  }

  @Provide
  Arbitrary<List<PilotSeed>> seedLists() {
    return pilotSeeds().list().ofMaxSize(30);
  }

  /**
   * A pilot before it is bound to an id and node: kind 0 pending untargeted, 1 pending targeted, 2
   * running.
   */
  record PilotSeed(int kind, int minutes, int minMinutes, int nodeIndex) {}

  Arbitrary<PilotSeed> pilotSeeds() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 2),
            Arbitraries.of(2, 4, 7, 8, 30, 120),
            Arbitraries.integers().between(1, 3),
            Arbitraries.integers().between(0, 9))
        .as(PilotSeed::new);
  }

  static Fleet fleet(List<PilotSeed> seeds, List<Node> nodes) {
    List<Pilot> pilots = new ArrayList<>();
    Set<String> holding = new HashSet<>();
    long id = 1000;
    for (PilotSeed s : seeds) {
      String node =
          "n" + (s.nodeIndex() % (nodes.size() + 1) + 1); // sometimes a node outside the partition
      Optional<Duration> timeMin =
          Optional.of(Duration.ofMinutes(Math.min(s.minMinutes(), s.minutes())));
      switch (s.kind()) {
        case 0 ->
            pilots.add(
                Pilot.pending(
                    new JobId(id++),
                    new PilotShape(
                        "whisk",
                        TARGET.qos(),
                        Duration.ofMinutes(s.minutes()),
                        timeMin,
                        0,
                        Optional.empty()),
                    NOW));
        case 1 ->
            pilots.add(
                Pilot.pending(
                    new JobId(id++),
                    new PilotShape(
                        "whisk",
                        TARGET.qos(),
                        Duration.ofMinutes(s.minutes()),
                        timeMin,
                        0,
                        Optional.of(node)),
                    NOW));
        default -> {
          if (holding.add(node)) {
            pilots.add(
                Pilot.running(
                    new JobId(id++),
                    new PilotShape(
                        "whisk",
                        TARGET.qos(),
                        Duration.ofMinutes(s.minutes()),
                        timeMin,
                        0,
                        Optional.empty()),
                    node,
                    NOW.minusSeconds(10)));
          }
        }
      }
    }
    return new Fleet(pilots);
  }

  @Property(tries = 50)
  void policiesAreFoundByName(@ForAll("names") String name) {
    assertThat(HarvestPolicies.create(HarvestPolicies.defaults(name)).name()).isEqualTo(name);
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.of(HarvestPolicies.NAMES);
  }
}

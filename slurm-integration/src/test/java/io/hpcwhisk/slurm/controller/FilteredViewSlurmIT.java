package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.PilotOwner;
import io.hpcwhisk.core.cluster.SnapshotBuilder;
import io.hpcwhisk.core.cluster.Window;
import io.hpcwhisk.slurm.cli.NodeGres;
import io.hpcwhisk.slurm.cli.SlurmCliClusterView;
import io.hpcwhisk.slurm.cli.SlurmCliFilteredView;
import io.hpcwhisk.testkit.LocalAttacker;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The controller's filtered read ({@link SlurmCliFilteredView}: {@code sinfo --Node --responding
 * --partition}, one framed {@code squeue --Format}) sees on a real Slurm what the full JSON read
 * sees: the same nodes, states and backfill windows, the same active jobs; and a job whose name
 * carries a newline and a forged record (submitted as the unprivileged {@code hpcw-attacker} on
 * 22.05, {@code sbatch --uid}; as root on 24.11, whose chroot has no such account) stays one job
 * with that name, no forged pilot.
 */
@SlurmTest
class FilteredViewSlurmIT {

  private static final String FORGED =
      "x\n999999|whisk|(null)|RUNNING|n3|(null)||1|1|2|5:00|0:00|0|N/A|root|hpcw-pilot-forged";

  @Test
  void theFilteredReadSeesWhatTheFullReadSeesAndCannotBeForged(SlurmEnv slurm) throws Exception {
    Duration scheduler = slurm.timing().scheduling();
    boolean asAttacker = slurm.slurmVersion().equals("22.05");
    List<String> forge = new ArrayList<>();
    if (asAttacker) {
      LocalAttacker.ensure();
      forge.add("--uid=" + LocalAttacker.NAME);
      forge.add("--chdir=/tmp");
    }
    forge.addAll(
        List.of(
            "-o",
            "/dev/null",
            "-p",
            "whisk",
            "--hold",
            "--time=5",
            "-J",
            FORGED,
            "--wrap",
            "true"));
    String forger = slurm.sbatch(forge.toArray(String[]::new));
    String wide = SlurmHarvestIT.openWindow(slurm);

    var config = SlurmHarvestIT.config(slurm, "adaptive", Map.of());
    PilotOwner owner = PilotOwner.of("hpcw-pilot", System.getProperty("user.name"));
    var builder = new SnapshotBuilder(config.slurm().target(), owner);
    var full = new SlurmCliClusterView(SlurmHarvestIT.cli(slurm), InstantSource.system());
    var filtered =
        new SlurmCliFilteredView(
            SlurmHarvestIT.cli(slurm), InstantSource.system(), new NodeGres(), "whisk", owner);

    await()
        .atMost(scheduler.multipliedBy(3))
        .until(
            () -> {
              ClusterSnapshot a = builder.build(full.observe());
              ClusterSnapshot b = builder.build(filtered.observe());
              return a.boundedWindowCount() == 2
                  && nodes(a).equals(nodes(b))
                  && jobs(a).equals(jobs(b));
            });
    ClusterSnapshot seen = builder.build(filtered.observe());
    System.out.println("[filtered-it] " + nodes(seen) + " " + jobs(seen));
    assertThat(jobs(seen)).contains(wide + " PENDING [n1, n2, n3, n4]");
    assertThat(filtered.lastPassCalls()).isEqualTo(2);

    List<Job> jobs = filtered.observe().jobs();
    assertThat(jobs).noneMatch(j -> j.id().value() == 999_999L);
    assertThat(jobs)
        .filteredOn(j -> j.id().toString().equals(forger))
        .singleElement()
        .satisfies(
            j -> {
              assertThat(j.name()).isEqualTo(FORGED);
              assertThat(j.state()).isEqualTo(JobState.PENDING);
              assertThat(owner.owns(j)).isFalse();
            });
    assertThat(filtered.garbageLines()).isZero();
  }

  /** Name, state and window end of each node (the windows' starts are the observation times). */
  private static Set<String> nodes(ClusterSnapshot s) {
    return s.nodes().stream()
        .map(
            (Node n) ->
                n.name() + " " + n.state() + " " + n.window().flatMap(Window::end).orElse(null))
        .collect(Collectors.toSet());
  }

  private static Set<String> jobs(ClusterSnapshot s) {
    return s.jobs().stream()
        .map(j -> j.id() + " " + j.state() + " " + j.nodes())
        .collect(Collectors.toSet());
  }
}

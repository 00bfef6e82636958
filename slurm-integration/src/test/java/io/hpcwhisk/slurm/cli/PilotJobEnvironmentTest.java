package io.hpcwhisk.slurm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.core.harvest.PilotShape;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PilotJobEnvironmentTest {

  final PilotJobSettings settings = new PilotJobSettings("hpcw-pilot", Optional.empty(), Optional.empty(),
      "/tmp/p-%j.out", "#!/bin/bash\nexec true\n", List.of(), Map.of("HPC_WHISK_GRACE", "10s"));
  final PilotShape shape = new PilotShape("whisk", Optional.empty(), Duration.ofMinutes(5), Optional.empty(), 0,
      Optional.empty());

  @Test
  void everySubmissionExportsAFreshEnvironment() {
    var runner = new RecordedCommandRunner().answer("sbatch", "17\n");
    var cli = new SlurmCli(Optional.of(Path.of("/opt/slurm/bin")), Duration.ofSeconds(5), runner,
        (command, took, ok) -> {});
    AtomicInteger n = new AtomicInteger();
    var launcher = new SlurmCliPilotLauncher(cli, settings,
        () -> Map.of("HPC_WHISK_PILOT_TOKEN", "sub-" + n.incrementAndGet() + ".mac",
            "HPC_WHISK_BALANCER_URL", "ws://127.0.0.1:3233/pilot/v1"));

    launcher.submit(shape);
    launcher.submit(shape);

    assertThat(runner.calls()).hasSize(2);
    // one --export: the configured environment and this submission's
    assertThat(runner.calls().get(0)).containsOnlyOnce("--export=ALL,HPC_WHISK_BALANCER_URL=ws://127.0.0.1:3233/pilot/v1,"
        + "HPC_WHISK_GRACE=10s,HPC_WHISK_PILOT_TOKEN=sub-1.mac")
        .filteredOn(a -> a.startsWith("--export")).hasSize(1);
    assertThat(runner.calls().get(1)).contains("--export=ALL,HPC_WHISK_BALANCER_URL=ws://127.0.0.1:3233/pilot/v1,"
        + "HPC_WHISK_GRACE=10s,HPC_WHISK_PILOT_TOKEN=sub-2.mac");
    assertThat(runner.stdins().get(0)).isEqualTo(settings.script());
  }

  @Test
  void withoutAPerJobEnvironmentOnlyTheConfiguredOneIsExported() {
    var runner = new RecordedCommandRunner().answer("sbatch", "18\n");
    var cli = new SlurmCli(Optional.empty(), Duration.ofSeconds(5), runner, (command, took, ok) -> {});
    new SlurmCliPilotLauncher(cli, settings).submit(shape);
    assertThat(runner.calls().get(0)).filteredOn(a -> a.startsWith("--export")).containsExactly(
        "--export=ALL,HPC_WHISK_GRACE=10s");
  }

  @Test
  void aValueWithACommaIsRefusedWithItsName() {
    assertThatThrownBy(() -> SlurmCliPilotLauncher.exportOption(Map.of("X", "a,b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X").hasMessageContaining("a,b");
  }
}

package io.hpcwhisk.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlurmEnvironmentTest {

  static final String SCONTROL_JOB =
      "JobId=42 JobName=hpcw-pilot UserId=root(0) JobState=RUNNING Reason=None RunTime=00:00:03"
          + " TimeLimit=00:05:00 SubmitTime=2026-11-27T01:00:00 StartTime=2026-11-27T01:00:01"
          + " EndTime=2026-11-27T01:05:01 Partition=whisk NodeList=n2 NumNodes=1 NumCPUs=2"
          + " TRES=cpu=2,mem=1500M,node=1,billing=2 Command=/work/config/pilot.sbatch";

  @Test
  void readsTheDeadlineAndMemoryFromScontrolWhenTheEnvironmentLacksThem() {
    List<List<String>> calls = new ArrayList<>();
    PilotIdentity identity =
        SlurmEnvironment.identity(
            Map.of(
                "SLURM_JOB_ID",
                "42",
                "SLURMD_NODENAME",
                "n2",
                "SLURM_CPUS_ON_NODE",
                "2",
                "HPC_WHISK_PILOT_T0",
                "1795740000123456789"),
            command -> {
              calls.add(command);
              return SCONTROL_JOB;
            },
            0);

    ZoneId zone = ZoneId.systemDefault();
    assertThat(identity.pilotId()).isEqualTo("slurm-42");
    assertThat(identity.node()).isEqualTo("n2");
    assertThat(identity.cpus()).isEqualTo(2);
    assertThat(identity.memoryMb()).isEqualTo(1500);
    assertThat(identity.jobStart())
        .isEqualTo(LocalDateTime.parse("2026-11-27T01:00:01").atZone(zone).toInstant());
    assertThat(identity.deadline())
        .isEqualTo(LocalDateTime.parse("2026-11-27T01:05:01").atZone(zone).toInstant());
    assertThat(identity.launchedAt()).isEqualTo(Instant.ofEpochSecond(1795740000L, 123456789L));
    assertThat(calls).containsExactly(List.of("scontrol", "show", "job", "-o", "42"));
  }

  @Test
  void prefersTheEnvironmentAndFallsBackToTheNodesMemory() {
    PilotIdentity identity =
        SlurmEnvironment.identity(
            Map.of(
                "SLURM_JOB_ID",
                "7",
                "SLURMD_NODENAME",
                "n1",
                "SLURM_CPUS_ON_NODE",
                "4(x1)",
                "SLURM_JOB_START_TIME",
                "1795740000",
                "SLURM_JOB_END_TIME",
                "1795740600"),
            command ->
                command.contains("node")
                    ? "NodeName=n1 CPUTot=4 RealMemory=2000 State=ALLOCATED"
                    : "JobId=7 TRES=cpu=4,node=1",
            0);

    assertThat(identity.cpus()).isEqualTo(4);
    assertThat(identity.memoryMb()).isEqualTo(2000);
    assertThat(identity.deadline()).isEqualTo(Instant.ofEpochSecond(1795740600L));
  }

  @Test
  void outsideSlurmItSaysWhatIsMissing() {
    assertThatThrownBy(() -> SlurmEnvironment.identity(Map.of(), c -> "", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SLURM_JOB_ID is not set");
  }

  @Test
  void tresMemoryUnits() {
    assertThat(SlurmEnvironment.memoryFromTres("cpu=2,mem=2G,node=1")).isEqualTo(2048);
    assertThat(SlurmEnvironment.memoryFromTres("cpu=2,mem=512M")).isEqualTo(512);
    assertThat(SlurmEnvironment.memoryFromTres("cpu=2")).isZero();
  }
}

package io.hpcwhisk.simulator.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SlurmConfTest {

  /** config/ of the repository, from the simulator module's directory. */
  static final Path PROFILES = Path.of("../config/site-profiles");

  /** The slurm.conf `hpc-whisk local-cluster up` wrote (2026-12-07, Slurm 22.05.8). */
  static final Path LOCAL_CLUSTER = Path.of("src/test/resources/site/local-cluster-slurm.conf");

  @Test
  void thePapersClusterAsAProfile() {
    SiteSettings s = SlurmConf.profile(PROFILES, "hpcwhisk-paper");
    assertThat(s.bfInterval()).hasValue(120);
    assertThat(s.bfWindowMinutes()).hasValue(180);
    assertThat(s.bfResolution()).hasValue(120);
    assertThat(s.bfMaxJobTest()).isEmpty();
    assertThat(s.graceSeconds()).hasValue(180);
    assertThat(s.graceFrom()).isEqualTo("KillWait with PreemptMode=CANCEL and no GraceTime");
    assertThat(s.preemptType()).isEqualTo("preempt/partition_prio");
    assertThat(s.preemptMode()).isEqualTo("CANCEL");
    assertThat(s.source()).startsWith("profile hpcwhisk-paper (");
  }

  @Test
  void slurmsDefaults() {
    SiteSettings s = SlurmConf.profile(PROFILES, "slurm-defaults");
    assertThat(s.bfInterval()).hasValue(30);
    assertThat(s.bfWindowMinutes()).hasValue(1440);
    assertThat(s.bfResolution()).hasValue(60);
    assertThat(s.bfMaxJobTest()).hasValue(500);
    assertThat(s.graceSeconds()).hasValue(30);
    assertThat(SlurmConf.profiles(PROFILES)).contains("hpcwhisk-paper", "slurm-defaults");
  }

  @Test
  void theLocalClustersRealSlurmConfGivesTheHarvestPartitionsGraceTime() {
    SiteSettings s = SlurmConf.read(LOCAL_CLUSTER, "whisk");
    assertThat(s.bfInterval()).hasValue(1);
    assertThat(s.bfResolution()).hasValue(1);
    assertThat(s.graceSeconds()).hasValue(10);
    assertThat(s.graceFrom()).isEqualTo("GraceTime of partition whisk");
  }

  @Test
  void keysAreCaseInsensitiveAndCommentsAndUnusedKeysIgnored() {
    SiteSettings s =
        SlurmConf.parse(
            "# site\nschedulerparameters=bf_window=60,BF_INTERVAL=45 # fast\n"
                + "ClusterName=x\nNodeName=n[1-9] CPUs=4\nPartitionName=low GraceTime=20\n",
            "f",
            "whisk");
    assertThat(s.bfInterval()).hasValue(45);
    assertThat(s.bfWindowMinutes()).hasValue(60);
    assertThat(s.graceSeconds()).hasValue(20);
    assertThat(s.graceFrom()).isEqualTo("GraceTime of partition low");
    assertThat(SlurmConf.parse("", "f", "whisk").graceSeconds()).isEqualTo(OptionalLong.empty());
  }

  @Test
  void badValuesAreNamedWithFileAndLine() {
    assertThatThrownBy(() -> SlurmConf.parse("KillWait=soon\n", "f.conf", "whisk"))
        .hasMessage("f.conf:1: KillWait: expected whole seconds >= 0, found 'soon'");
    assertThatThrownBy(
            () -> SlurmConf.parse("\nSchedulerParameters=bf_interval=0\n", "f.conf", "whisk"))
        .hasMessage(
            "f.conf:2: SchedulerParameters bf_interval: expected a whole number >= 1, found '0'");
    assertThatThrownBy(() -> SlurmConf.parse("1 0 10 100 4\n", "f.conf", "whisk"))
        .hasMessage("f.conf:1: line: expected Key=Value pairs (slurm.conf), found '1'");
    assertThatThrownBy(() -> SlurmConf.profile(PROFILES, "../etc/passwd"))
        .hasMessageStartingWith("--site-profile '../etc/passwd': expected a profile name");
    assertThatThrownBy(() -> SlurmConf.profile(PROFILES, "nowhere"))
        .hasMessageContaining("expected one of [hpcwhisk-paper, slurm-defaults]");
  }
}

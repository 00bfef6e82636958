package io.hpcwhisk.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.runtime.RuntimeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PilotMainTest {

  static final PilotIdentity IDENTITY =
      new PilotIdentity("9", "n1", 2, 2000, Instant.EPOCH, Instant.EPOCH.plusSeconds(600), null);

  @Test
  void theShippedConfigurationsPilotSectionIsValidAndMatchesTheDefaults() {
    Path yaml = Path.of("").toAbsolutePath().resolve("../config/hpc-whisk.yaml").normalize();
    PilotConfig config =
        PilotConfig.read(
            Optional.of(yaml), Map.of(), Map.of("balancer-url", "ws://127.0.0.1:9/pilot/v1"));

    PilotSettings settings = PilotMain.settings(config, "t", IDENTITY);

    PilotSettings defaults = PilotSettings.of(settings.balancer(), "t", settings.workDir());
    assertThat(settings).isEqualTo(defaults);
    assertThat(settings.workDir().getFileName().toString())
        .isEqualTo("hpc-whisk-pilot-9-" + ProcessHandle.current().pid());
    assertThat(PilotMain.settings(url("ws://127.0.0.1:9/pilot/v1"), "t", IDENTITY))
        .as("no file: the same defaults")
        .isEqualTo(settings);
  }

  @Test
  void readsValuesAndRefusesUnknownKeys(@TempDir Path dir) throws Exception {
    Path good =
        Files.writeString(
            dir.resolve("good.yaml"),
            "harvest: {policy: fib}\n"
                + "pilot:\n"
                + "  balancer-url: ws://10.0.0.1:8080/pilot/v1\n"
                + "  grace: 30s\n"
                + "  sandbox: off\n");
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "pilot:\n  gracetime: 30s\n");

    PilotSettings settings =
        PilotMain.settings(PilotConfig.read(Optional.of(good), Map.of(), Map.of()), "", IDENTITY);

    assertThat(settings.grace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.sandbox()).isEqualTo(RuntimeConfig.Sandbox.OFF);
    assertThat(settings.balancer().getHost()).isEqualTo("10.0.0.1");
    assertThatThrownBy(() -> PilotConfig.read(Optional.of(bad), Map.of(), Map.of()))
        .hasMessage("pilot.gracetime: unknown key (did you mean pilot.grace?)");
  }

  @Test
  void theEnvironmentOverridesTheFileAndOptionsOverrideBoth(@TempDir Path dir) throws Exception {
    Path yaml =
        Files.writeString(
            dir.resolve("c.yaml"), "pilot:\n  grace: 30s\n  memory-mb: 100\n  work-dir: \"\"\n");
    PilotConfig fromEnv =
        PilotConfig.read(Optional.of(yaml), Map.of("HPC_WHISK_GRACE", "40s"), Map.of());
    assertThat(fromEnv.grace()).isEqualTo(Duration.ofSeconds(40));
    assertThat(fromEnv.memoryMb()).isEqualTo(100);
    assertThat(fromEnv.workDir()).isNull();
    PilotConfig fromOption =
        PilotConfig.read(
            Optional.of(yaml),
            Map.of("HPC_WHISK_GRACE", "40s"),
            Map.of("grace", "50s", "memory-mb", " "));
    assertThat(fromOption.grace()).isEqualTo(Duration.ofSeconds(50));
    assertThat(fromOption.memoryMb()).isEqualTo(100);
    assertThatThrownBy(
            () ->
                PilotConfig.read(
                    Optional.of(yaml), Map.of("HPC_WHISK_PILOT_MEMORY_MB", "lots"), Map.of()))
        .hasMessage("pilot.memory-mb: \"lots\" is not a whole number");
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> PilotMain.settings(read(Map.of()), "", IDENTITY))
        .hasMessage(
            "pilot.balancer-url: missing (expected ws://HOST:PORT/pilot/v1; set it here, in"
                + " HPC_WHISK_BALANCER_URL or with --balancer)");
    assertThatThrownBy(() -> PilotMain.settings(url("http://x/pilot/v1"), "", IDENTITY))
        .hasMessageContaining("must be ws:// or wss://");
    assertThatThrownBy(() -> read(Map.of("balancer-url", "ws://x/p", "grace", "soon")))
        .hasMessage("pilot.grace: \"soon\" is not a duration (expected e.g. 5s, 1m)");
    assertThatThrownBy(() -> read(Map.of("balancer-url", "ws://x/p", "heartbeat", "2s")))
        .hasMessage("pilot.heartbeat: 2s is out of range (expected 1ms..1s)");
    assertThatThrownBy(() -> read(Map.of("sandbox", "maybe")))
        .hasMessage("pilot.sandbox: \"maybe\" is not one of: auto, off, bwrap");
    assertThatThrownBy(() -> read(Map.of("container-engine", "docker")))
        .hasMessage("pilot.container-engine: \"docker\" is not one of: auto, podman, none");
    assertThatThrownBy(() -> read(Map.of("container-network", "host")))
        .hasMessage("pilot.container-network: \"host\" is not one of: none, outbound");
  }

  @Test
  void prewarmKeysHaveTheirDefaultsAndBadValuesAreNamed() {
    assertThat(read(Map.of()).prewarmPlan()).hasToString("nodejs:2,python:1");
    assertThat(read(Map.of()).prewarmPlan().memoryMb()).isEqualTo(256);
    assertThat(read(Map.of("prewarm", "0")).prewarmPlan().enabled()).isFalse();
    assertThat(read(Map.of("prewarm", "none")).prewarmPlan().enabled()).isFalse();
    var set = read(Map.of("prewarm", "python:4", "prewarm-memory-mb", "512")).prewarmPlan();
    assertThat(set).hasToString("python:4");
    assertThat(set.memoryMb()).isEqualTo(512);
    assertThat(
            PilotConfig.read(
                    Optional.empty(), Map.of("HPC_WHISK_PILOT_PREWARM", "nodejs:8"), Map.of())
                .prewarmPlan())
        .hasToString("nodejs:8");
    assertThatThrownBy(() -> read(Map.of("prewarm", "java:1")))
        .hasMessage("pilot.prewarm: \"java\" cannot be pre-started (expected nodejs or python)");
    assertThatThrownBy(() -> read(Map.of("prewarm", "nodejs:500")))
        .hasMessageContaining("pilot.prewarm: ")
        .hasMessageContaining("500 (expected 0 to 64)");
    assertThatThrownBy(() -> read(Map.of("prewarm-memory-mb", "8")))
        .hasMessageStartingWith("pilot.prewarm-memory-mb: 8 is out of range");
  }

  @Test
  void containerSettingsComeFromTheContainerKeysAndTheJobId() {
    var defaults = read(Map.of()).containers("42");
    var set =
        read(Map.of(
                "container-engine",
                "none",
                "images",
                "/shared/images",
                "container-network",
                "outbound"))
            .containers("7");

    assertThat(defaults.engine()).isEqualTo("auto");
    assertThat(defaults.images()).isNull();
    assertThat(defaults.owner()).isEqualTo("42");
    assertThat(defaults.network())
        .as("no network unless the administrator allows it")
        .isEqualTo("none");
    assertThat(set.network()).isEqualTo("outbound");
    assertThat(set.engine()).isEqualTo("none");
    assertThat(set.images()).isEqualTo(Path.of("/shared/images"));
    assertThat(set.engineInstance()).isEmpty();
  }

  @Test
  void theTokenFileIsReadAndDeletedAndACredentialInTheEnvironmentIsRefused(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("pilot.token"), "sub-abcdefgh.MAC\n");
    assertThat(PilotMain.takeToken(file)).isEqualTo("sub-abcdefgh.MAC");
    assertThat(file).doesNotExist();
    assertThatThrownBy(() -> PilotMain.takeToken(file))
        .hasMessageContaining("cannot read the pilot token file");
    assertThatThrownBy(
            () ->
                PilotMain.run(
                    new PilotMain.Overrides(null, Map.of()),
                    Map.of(
                        "HPC_WHISK_PILOT_TOKEN",
                        "sub-abcdefgh.MAC",
                        "HPC_WHISK_BALANCER_URL",
                        "ws://127.0.0.1:9/pilot/v1"),
                    "test"))
        .hasMessageContaining("HPC_WHISK_PILOT_TOKEN is set")
        .hasMessageNotContaining("sub-abcdefgh.MAC");
  }

  @Test
  void theSandboxAlsoHidesTheConfigurationTheServersDataDirTheTokenFileAndConfiguredPaths(
      @TempDir Path dir) throws Exception {
    Path yaml =
        Files.writeString(
            dir.resolve("hpc-whisk.yaml"),
            "store:\n"
                + "  data-dir: /srv/whisk-data\n"
                + "pilot:\n"
                + "  sandbox-hidden: /opt/site-secrets, /etc/site.key\n");
    PilotConfig config =
        PilotConfig.read(Optional.of(yaml), Map.of(), Map.of("token-file", "/run/hpcw/token"));

    assertThat(PilotMain.hiddenFromActions(Optional.of(yaml), config))
        .containsExactly(
            yaml.toAbsolutePath(),
            Path.of("/srv/whisk-data"),
            Path.of("/run/hpcw/token"),
            Path.of("/opt/site-secrets"),
            Path.of("/etc/site.key"));
  }

  @Test
  void theSandboxUidIsAnUnprivilegedUid() {
    assertThat(read(Map.of()).sandboxUid()).isEqualTo(65534);
    assertThat(read(Map.of("sandbox-uid", "4242")).sandboxUid()).isEqualTo(4242);
    assertThatThrownBy(() -> read(Map.of("sandbox-uid", "0")))
        .hasMessage(
            "pilot.sandbox-uid: 0 is not an unprivileged uid (expected above 0, e.g. 65534,"
                + " nobody)");
    assertThatThrownBy(() -> read(Map.of("sandbox-uid", "root")))
        .hasMessage("pilot.sandbox-uid: \"root\" is not a whole number");
  }

  @Test
  void aListOfBalancerUrlsIsTriedInTurnAndTheSingleFormStillWorks() {
    PilotSettings one = PilotMain.settings(url("ws://a:1/pilot/v1"), "", IDENTITY);
    assertThat(one.balancers()).extracting(Object::toString).containsExactly("ws://a:1/pilot/v1");
    PilotSettings two =
        PilotMain.settings(url(" ws://a:1/pilot/v1 , ws://b:2/pilot/v1,"), "", IDENTITY);
    assertThat(two.balancer().toString()).isEqualTo("ws://a:1/pilot/v1");
    assertThat(two.balancers())
        .extracting(Object::toString)
        .containsExactly("ws://a:1/pilot/v1", "ws://b:2/pilot/v1");
    // as a pilot job gets the list: space-separated (sbatch --export splits its own list on commas)
    PilotSettings spaced =
        PilotMain.settings(url("ws://a:1/pilot/v1 ws://b:2/pilot/v1"), "", IDENTITY);
    assertThat(spaced.balancers())
        .extracting(Object::toString)
        .containsExactly("ws://a:1/pilot/v1", "ws://b:2/pilot/v1");
    assertThatThrownBy(() -> PilotMain.settings(url("ws://a:1/pilot/v1,http://b/x"), "", IDENTITY))
        .hasMessage(
            "pilot.balancer-url: 'http://b/x' is not a balancer URL: it must be ws:// or wss://"
                + " with a host (expected ws://HOST:PORT/pilot/v1; several separated by commas or"
                + " spaces)");
    assertThatThrownBy(
            () -> PilotMain.settings(url("ws://a:1/pilot/v1,wss://b:2/pilot/v1"), "", IDENTITY))
        .hasMessage("pilot.balancer-url: 'wss://b:2/pilot/v1' is not ws:// like the first URL");
    assertThatThrownBy(() -> PilotMain.settings(url(" , "), "", IDENTITY))
        .hasMessageContaining("pilot.balancer-url");
  }

  private static PilotConfig read(Map<String, String> options) {
    return PilotConfig.read(Optional.empty(), Map.of(), options);
  }

  private static PilotConfig url(String url) {
    return read(Map.of("balancer-url", url));
  }
}

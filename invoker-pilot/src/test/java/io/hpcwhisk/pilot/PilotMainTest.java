package io.hpcwhisk.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.runtime.RuntimeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PilotMainTest {

  static final PilotIdentity IDENTITY =
      new PilotIdentity("9", "n1", 2, 2000, Instant.EPOCH, Instant.EPOCH.plusSeconds(600), null);

  @Test
  void theShippedConfigurationsPilotSectionIsValidAndMatchesTheDefaults() {
    Path yaml = Path.of("").toAbsolutePath().resolve("../config/hpc-whisk.yaml").normalize();
    Map<String, String> values = new HashMap<>(PilotMain.readYaml(yaml));
    values.put("balancer-url", "ws://127.0.0.1:9/pilot/v1");

    PilotSettings settings = PilotMain.settings(values, "t", IDENTITY);

    PilotSettings defaults = PilotSettings.of(settings.balancer(), "t", settings.workDir());
    assertThat(settings).isEqualTo(defaults);
    assertThat(settings.workDir().getFileName().toString()).isEqualTo("hpc-whisk-pilot-9-" + ProcessHandle.current().pid());
  }

  @Test
  void readsValuesAndRefusesUnknownKeys(@TempDir Path dir) throws Exception {
    Path good = Files.writeString(dir.resolve("good.yaml"),
        "harvest: {policy: fib}\npilot:\n  balancer-url: ws://10.0.0.1:8080/pilot/v1\n  grace: 30s\n  sandbox: off\n");
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "pilot:\n  gracetime: 30s\n");

    PilotSettings settings = PilotMain.settings(PilotMain.readYaml(good), "", IDENTITY);

    assertThat(settings.grace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.sandbox()).isEqualTo(RuntimeConfig.Sandbox.OFF);
    assertThat(settings.balancer().getHost()).isEqualTo("10.0.0.1");
    assertThatThrownBy(() -> PilotMain.readYaml(bad)).hasMessageContaining("unknown key pilot.gracetime");
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> PilotMain.settings(Map.of(), "", IDENTITY)).hasMessageContaining("no balancer URL");
    assertThatThrownBy(() -> PilotMain.settings(Map.of("balancer-url", "http://x/pilot/v1"), "", IDENTITY))
        .hasMessageContaining("must be ws:// or wss://");
    assertThatThrownBy(() -> PilotMain.settings(Map.of("balancer-url", "ws://x/p", "grace", "soon"), "", IDENTITY))
        .hasMessageContaining("pilot.grace = 'soon' is not a duration");
    assertThatThrownBy(() -> PilotMain.settings(Map.of("balancer-url", "ws://x/p", "heartbeat", "2s"), "", IDENTITY))
        .hasMessageContaining("heartbeat must be at most 1 s");
  }

  @Test
  void theTokenFileIsReadAndDeletedAndACredentialInTheEnvironmentIsRefused(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("pilot.token"), "sub-abcdefgh.MAC\n");
    assertThat(PilotMain.takeToken(file)).isEqualTo("sub-abcdefgh.MAC");
    assertThat(file).doesNotExist();
    assertThatThrownBy(() -> PilotMain.takeToken(file)).hasMessageContaining("cannot read the pilot token file");
    assertThatThrownBy(() -> PilotMain.run(new PilotMain.Overrides(null, Map.of()),
        Map.of("HPC_WHISK_PILOT_TOKEN", "sub-abcdefgh.MAC", "HPC_WHISK_BALANCER_URL", "ws://127.0.0.1:9/pilot/v1"),
        "test")).hasMessageContaining("HPC_WHISK_PILOT_TOKEN is set").hasMessageNotContaining("sub-abcdefgh.MAC");
  }

  @Test
  void theSandboxAlsoHidesTheConfigurationTheServersDataDirTheTokenFileAndConfiguredPaths(@TempDir Path dir)
      throws Exception {
    Path yaml = Files.writeString(dir.resolve("hpc-whisk.yaml"),
        "store:\n  data-dir: /srv/whisk-data\npilot:\n  sandbox-hidden: /opt/site-secrets, /etc/site.key\n");
    Map<String, String> values = new HashMap<>(PilotMain.readYaml(yaml));
    values.put("token-file", "/run/hpcw/token");

    assertThat(PilotMain.hiddenFromActions(java.util.Optional.of(yaml), values)).containsExactly(
        yaml.toAbsolutePath(), Path.of("/srv/whisk-data"), Path.of("/run/hpcw/token"), Path.of("/opt/site-secrets"),
        Path.of("/etc/site.key"));
  }

  @Test
  void theSandboxUidIsAnUnprivilegedUid() {
    assertThat(PilotMain.sandboxUid(Map.of())).isZero(); // RuntimeConfig's default, 65534
    assertThat(PilotMain.sandboxUid(Map.of("sandbox-uid", "4242"))).isEqualTo(4242);
    assertThatThrownBy(() -> PilotMain.sandboxUid(Map.of("sandbox-uid", "0")))
        .hasMessageContaining("pilot.sandbox-uid = '0', expected an unprivileged uid above 0");
    assertThatThrownBy(() -> PilotMain.sandboxUid(Map.of("sandbox-uid", "root")))
        .hasMessageContaining("pilot.sandbox-uid = 'root' is not a whole number");
  }
}

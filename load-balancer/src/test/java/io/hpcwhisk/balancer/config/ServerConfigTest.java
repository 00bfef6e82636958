package io.hpcwhisk.balancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

  @TempDir Path dir;

  @Test
  void readsItsSectionsAndIgnoresTheOthers() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(
        f,
        "slurm:\n"
            + "  partition: whisk\n"
            + "api:\n"
            + "  port: 4000\n"
            + "  guest: true\n"
            + "store:\n"
            + "  data-dir: /tmp/x\n"
            + "  activation-retention-hours: 2\n"
            + "harvest:\n"
            + "  policy: fib\n");
    ServerConfig c = ServerConfig.load(f);
    assertThat(c.api().port()).isEqualTo(4000);
    assertThat(c.api().guest()).isTrue();
    assertThat(c.api().host()).isEqualTo("127.0.0.1");
    assertThat(c.store().dataPath()).isEqualTo(Path.of("/tmp/x"));
    assertThat(c.store().activationRetentionHours()).isEqualTo(2);
  }

  @Test
  void defaultsAreLoopbackPort3233AndNoGuest() {
    assertThat(ServerConfig.DEFAULT.api().host()).isEqualTo("127.0.0.1");
    assertThat(ServerConfig.DEFAULT.api().port()).isEqualTo(3233);
    assertThat(ServerConfig.DEFAULT.api().guest()).isFalse();
  }

  @Test
  void theProjectsConfigFileIsValid() {
    Path shipped = Path.of("..", "config", "hpc-whisk.yaml");
    ServerConfig config = ServerConfig.load(shipped);
    assertThat(config.api().port()).isEqualTo(3233);
    assertThat(config.api().executor()).isEqualTo("pilots");
    assertThat(config.balancer()).isEqualTo(ServerConfig.Pilots.DEFAULT);
  }

  @Test
  void theBalancerSectionIsCheckedAndDefaulted() throws Exception {
    Path f = dir.resolve("b.yaml");
    Files.writeString(f, "balancer:\n  queue-wait-seconds: 5\n");
    assertThat(ServerConfig.load(f).balancer().queueWaitSeconds()).isEqualTo(5);
    assertThat(ServerConfig.load(f).balancer().offlineAfterMs()).isEqualTo(3000);
    Files.writeString(f, "balancer:\n  heartbeat-ms: 5000\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessage("balancer.heartbeat-ms: 5000 is out of range (expected 1..1000)");
    Files.writeString(f, "balancer:\n  queue-waits: 5\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessage(
            "balancer.queue-waits: unknown key (did you mean balancer.queue-wait-seconds?)");
  }

  @Test
  void addressesTlsAndWhatPilotJobsAreToldAreReadAndChecked() throws Exception {
    Path f = dir.resolve("n.yaml");
    Files.writeString(
        f,
        "api:\n  host: 127.0.0.1, 10.20.0.1\n  tls:\n    certificate: /etc/hpc-whisk/server.pem\n"
            + "    key: /etc/hpc-whisk/server.key\n    reload-seconds: 30\n"
            + "balancer:\n  host: 10.20.0.1\n  url: wss://login1.cluster:3234/pilot/v1\n"
            + "  ca-file: /shared/hpc-whisk/site-ca.pem\n");
    ServerConfig c = ServerConfig.load(f);
    assertThat(c.api().hosts()).containsExactly("127.0.0.1", "10.20.0.1");
    assertThat(c.api().scheme()).isEqualTo("https");
    assertThat(c.api().tls().keyPath()).isEqualTo(Path.of("/etc/hpc-whisk/server.key"));
    assertThat(c.api().tls().reloadSeconds()).isEqualTo(30);
    assertThat(c.pilotHosts()).containsExactly("10.20.0.1");
    assertThat(c.balancer().url()).isEqualTo("wss://login1.cluster:3234/pilot/v1");
    assertThat(c.balancer().caFile()).isEqualTo("/shared/hpc-whisk/site-ca.pem");
    assertThat(ServerConfig.DEFAULT.pilotHosts()).containsExactly("127.0.0.1");
    assertThat(ServerConfig.DEFAULT.api().tls().enabled()).isFalse();

    Files.writeString(f, "api:\n  tls:\n    certificate: /a.pem\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessageContaining("api.tls: needs both certificate and key");
    Files.writeString(f, "api:\n  tls:\n    certificat: /a.pem\n");
    assertThatThrownBy(() -> ServerConfig.load(f)).hasMessageContaining("certificat");
    Files.writeString(f, "balancer:\n  url: http://10.0.0.1:3234/pilot/v1\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessageContaining("balancer.url: 'http://10.0.0.1:3234/pilot/v1'");
    // several servers over one database: every server's URL, comma-separated
    Files.writeString(f, "balancer:\n  url: ws://s1:3234/pilot/v1, ws://s2:3234/pilot/v1\n");
    assertThat(ServerConfig.load(f).balancer().url())
        .isEqualTo("ws://s1:3234/pilot/v1, ws://s2:3234/pilot/v1");
    Files.writeString(f, "balancer:\n  url: ws://s1:3234/pilot/v1,http://s2/p\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessageContaining("balancer.url: 'ws://s1:3234/pilot/v1,http://s2/p'")
        .hasMessageContaining("or several separated by commas");
    Files.writeString(f, "store:\n  postgres:\n    server-stale-ms: 10\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessageContaining("store.postgres.server-stale-ms: 10 is out of range");
    Files.writeString(f, "api:\n  host: 10.0.0.1,10.0.0.1\n");
    assertThatThrownBy(() -> ServerConfig.load(f)).hasMessageContaining("names 10.0.0.1 twice");
    Files.writeString(f, "api:\n  url: ws://10.0.0.1:3233\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessage(
            "api.url: 'ws://10.0.0.1:3233' is not an API base URL (expected http://HOST:PORT)");
    Files.writeString(f, "api:\n  url: https://10.0.0.1:3233\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessageStartingWith(
            "api.url: 'https://10.0.0.1:3233' does not match the API's scheme (expected"
                + " http://HOST:PORT: api.tls is not set)");
    Files.writeString(f, "api:\n  url: http://10.0.0.1:3233/api/v1\n");
    assertThatThrownBy(() -> ServerConfig.load(f)).hasMessageContaining("not an API base URL");
    Files.writeString(f, "api:\n  url: ' http://login1.cluster:3233/ '\n");
    assertThat(ServerConfig.load(f).api().url()).isEqualTo("http://login1.cluster:3233");
  }

  @Test
  void aTypoInItsSectionsIsAnErrorNamingTheKey() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "api:\n  prot: 4000\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessage("api.prot: unknown key (did you mean api.port?)");
  }

  @Test
  void theChainLimitAndTheStorageQuotaAreReadCheckedAndDefaulted() throws Exception {
    assertThat(ServerConfig.DEFAULT.api().maxChainDepth()).isEqualTo(10);
    assertThat(ServerConfig.DEFAULT.store().namespaceQuotaMb()).isEqualTo(1024L);
    assertThat(ServerConfig.DEFAULT.store().namespaceQuotaBytes()).isEqualTo(1024L * 1024 * 1024);
    Path f = dir.resolve("q.yaml");
    Files.writeString(f, "api:\n  max-chain-depth: 3\nstore:\n  namespace-quota-mb: 50\n");
    ServerConfig c = ServerConfig.load(f);
    assertThat(c.api().maxChainDepth()).isEqualTo(3);
    assertThat(c.store().namespaceQuotaMb()).isEqualTo(50L);
    assertThat(c.api().withPort(0).withGuest(true).maxChainDepth())
        .as("kept by the with-methods")
        .isEqualTo(3);
    assertThat(c.store().withDataDir("/x").namespaceQuotaMb()).isEqualTo(50L);
    Files.writeString(f, "api:\n  max-chain-depth: -1\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessage("api.max-chain-depth: -1 is out of range (expected 0..1000)");
    Files.writeString(f, "store:\n  namespace-quota-mb: 0\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessage("store.namespace-quota-mb: 0 is out of range (expected at least 1)");
  }

  @Test
  void theGuestKeyIsRefusedOnANonLoopbackAddress() throws Exception {
    Path f = dir.resolve("g.yaml");
    Files.writeString(f, "api:\n  host: 0.0.0.0\n  guest: true\n  executor: pilots\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessageStartingWith("api.guest: true needs a loopback address")
        .hasMessageContaining("api.host is '0.0.0.0'");
    Files.writeString(f, "api:\n  host: 127.0.0.1,10.0.0.1\n  guest: true\n");
    assertThat(ServerConfig.load(f).api().hosts())
        .as("a loopback address among others: the key is accepted on it only (ApiHandler)")
        .containsExactly("127.0.0.1", "10.0.0.1");
    Files.writeString(f, "api:\n  host: 127.0.0.1\n  guest: true\n  executor: pilots\n");
    assertThat(ServerConfig.load(f).api().guest()).isTrue();
    Files.writeString(f, "api:\n  host: 0.0.0.0\n  executor: pilots\n");
    assertThat(ServerConfig.load(f).api().host())
        .as("without the guest any address is fine")
        .isEqualTo("0.0.0.0");
    assertThatThrownBy(() -> ServerConfig.DEFAULT.api().withGuest(true).withHost("192.168.1.5"))
        .hasMessageContaining("'192.168.1.5'");
  }

  @Test
  void thePilotPortIsTheApiPortPlusOneUnlessSetAndIsChecked() throws Exception {
    assertThat(ServerConfig.DEFAULT.pilotPort()).isEqualTo(3234);
    assertThat(ServerConfig.DEFAULT.withApi(ServerConfig.DEFAULT.api().withPort(0)).pilotPort())
        .as("an ephemeral API port: an ephemeral pilot port")
        .isZero();
    Path f = dir.resolve("p.yaml");
    Files.writeString(f, "api:\n  port: 4000\nbalancer:\n  port: 4100\n");
    assertThat(ServerConfig.load(f).pilotPort()).isEqualTo(4100);
    Files.writeString(f, "api:\n  port: 4000\nbalancer:\n  port: 70000\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessage("balancer.port: 70000 is out of range (expected 0..65535)");
    Files.writeString(f, "api:\n  port: 4000\nbalancer:\n  port: -1\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessage("balancer.port: -1 is out of range (expected 0..65535)");
    Files.writeString(f, "api:\n  port: 4000\nbalancer:\n  port: 4000\n");
    assertThatThrownBy(() -> ServerConfig.load(f))
        .hasMessage(
            "balancer.port: 4000 is the same as api.port (expected another port: pilots get their"
                + " own)");
    ServerConfig top = ServerConfig.DEFAULT.withApi(ServerConfig.DEFAULT.api().withPort(65535));
    assertThatThrownBy(top::pilotPort)
        .hasMessageContaining("api.port is 65535: set balancer.port")
        .hasMessageStartingWith("balancer.port: missing");
    assertThat(top.withPilots(top.balancer().withPort(65534)).pilotPort()).isEqualTo(65534);
  }

  @Test
  void everyWrongValueIsOneLineNamingTheKey() {
    assertThatThrownBy(() -> ServerConfig.parse("api:\n  port: abc\n"))
        .hasMessage("api.port: \"abc\" is not a whole number");
    assertThatThrownBy(() -> ServerConfig.parse("api:\n  executor: fast\n"))
        .hasMessage("api.executor: \"fast\" is not one of: pilots, local, none");
    assertThatThrownBy(() -> ServerConfig.parse("balancer:\n  verify-jobs: squeue\n"))
        .hasMessage("balancer.verify-jobs: \"squeue\" is not one of: slurm, none");
    assertThatThrownBy(() -> ServerConfig.parse("http:\n  max-threads: 8\n"))
        .hasMessage("http.max-threads: 8 is out of range (expected at least 16)");
    assertThatThrownBy(() -> ServerConfig.parse("balancer:\n  offline-after-ms: 400\n"))
        .hasMessage("balancer.offline-after-ms: 400 is out of range (expected at least 501)");
    assertThatThrownBy(() -> ServerConfig.parse("store: [a]\n"))
        .hasMessage("store: a list is not a mapping");
    assertThatThrownBy(() -> ServerConfig.parse("apí:\n  port: 1\n"))
        .hasMessageStartingWith("apí: unknown section (did you mean api?");
  }

  @Test
  void copiesKeepEveryOtherValue() {
    ServerConfig c =
        ServerConfig.parse(
            "api: {port: 4000, max-chain-depth: 3, drain-seconds: 2, guest: true}\n"
                + "store: {namespace-quota-mb: 50, activation-retention-hours: 5}\n"
                + "balancer: {queue-wait-seconds: 7, token-dir: /t, port: 4100}\n"
                + "http: {max-threads: 20}\n");
    ServerConfig.Api api = c.api().withPort(0).withExecutor("none").withRates(1, 2, 3);
    assertThat(api)
        .isEqualTo(
            new ServerConfig.Api(
                "127.0.0.1", 0, true, "none", 60, 1_048_576L, 1, 2, 3, 2048, 2, 3, null));
    assertThat(c.store().withDataDir("/x")).isEqualTo(new StoreConfig("/x", 5, 50L));
    ServerConfig.Pilots p = c.balancer().withVerifyJobs("none", "p").withPort(null);
    assertThat(p.queueWaitSeconds()).isEqualTo(7);
    assertThat(p.tokenDir()).isEqualTo("/t");
    assertThat(p.port()).isNull();
    assertThat(c.withApi(api).http().maxThreads()).isEqualTo(20);
    assertThat(c.with(ServerConfig::store, StoreConfig.DEFAULT).balancer()).isEqualTo(c.balancer());
  }
}

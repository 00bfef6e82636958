package io.hpcwhisk.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.FakeDispatcher;
import io.hpcwhisk.testkit.LocalAttacker;
import io.hpcwhisk.testkit.PostgresCluster;
import io.hpcwhisk.testkit.Required;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The server on {@code store.kind: postgres} with a private PostgreSQL cluster: a restart recovers
 * the pending activations from the database, the password file is checked like the TLS key, and the
 * password reaches no log line, no error and no process's command line; a local attacker can
 * neither read the password file nor reach the cluster's socket or data.
 */
class PostgresStoreIT {

  private static PostgresCluster cluster;

  @TempDir Path dir;

  @BeforeAll
  static void startCluster() throws IOException {
    Required.on(PostgresCluster.available(), PostgresCluster.MISSING);
    cluster = PostgresCluster.start(List.of("fsync=off"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private Path passwordFile(String mode) throws IOException {
    Path secrets = dir.resolve("secrets");
    Files.createDirectories(secrets);
    // traversable, so that only the file's own mode protects it
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwx--x--x"));
    Path file = secrets.resolve("pg-password");
    Files.writeString(file, cluster.password() + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  private ServerConfig config(String url, Path passwordFile) {
    return ServerConfig.DEFAULT
        .withApi(ServerConfig.DEFAULT.api().withPort(0).withGuest(true).withDrainSeconds(1))
        .withStore(
            ServerConfig.DEFAULT
                .store()
                .withDataDir(dir.resolve("data").toString())
                .withPostgres(
                    new ServerConfig.Postgres(
                        url, cluster.user(), passwordFile.toString(), 4, 5000)));
  }

  private static ListAppender<ILoggingEvent> captureLogs() {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    return logs;
  }

  private static void release(ListAppender<ILoggingEvent> logs) {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  private static String everything(ListAppender<ILoggingEvent> logs) {
    StringBuilder all = new StringBuilder();
    for (ILoggingEvent e : logs.list) {
      all.append(e.getFormattedMessage()).append('\n');
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        all.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      }
    }
    return all.toString();
  }

  /** Every process's command line on the machine, NUL separators made spaces. */
  private static List<String> commandLines() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        if (p.getFileName().toString().chars().allMatch(Character::isDigit)) {
          try {
            out.add(new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8));
          } catch (IOException e) {
            // the process ended meanwhile
          }
        }
      }
    }
    return out;
  }

  @Test
  void aRestartOnTheSameDatabaseKeepsEntitiesAndEndsEveryPendingActivationOnce() throws Exception {
    String url = cluster.createDatabase();
    Path password = passwordFile("rw-------");
    ListAppender<ILoggingEvent> logs = captureLogs();
    List<String> ids = new ArrayList<>();
    try {
      try (WhiskServer server =
          WhiskServer.start(
              config(url, password), (clock, host) -> new FakeDispatcher(true), "pg-test")) {
        ApiClient api =
            new ApiClient(
                "http://127.0.0.1:" + server.address().getPort(), Identity.GUEST.authKey());
        assertThat(
                api.put(
                        "/api/v1/namespaces/_/actions/echo",
                        "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return"
                            + " p}\"}}")
                    .status())
            .isEqualTo(200);
        for (int i = 0; i < 5; i++) {
          ApiClient.Answer a = api.post("/api/v1/namespaces/_/actions/echo", "{\"i\":" + i + "}");
          assertThat(a.status()).isEqualTo(202);
          ids.add(a.body().path("activationId").asText());
        }
        assertThat(commandLines())
            .as("no process has the database password on its command line")
            .noneMatch(line -> line.contains(cluster.password()));
      }
      // the second run finds them pending in the database and re-dispatches them (retry-safe)
      try (WhiskServer server =
          WhiskServer.start(
              config(url, password), (clock, host) -> new FakeDispatcher(false), "pg-test")) {
        assertThat(server.recovery().redispatched()).isEqualTo(5);
        ApiClient api =
            new ApiClient(
                "http://127.0.0.1:" + server.address().getPort(), Identity.GUEST.authKey());
        assertThat(api.get("/api/v1/namespaces/_/actions/echo").status()).isEqualTo(200);
        for (String id : ids) {
          Awaitility.await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> api.get("/api/v1/namespaces/_/activations/" + id).status() == 200);
        }
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    api.get("/api/v1/namespaces/_/activations?limit=200").body().size()
                        == ids.size());
      }
      assertThat(everything(logs))
          .as("the password is in no log line")
          .contains("PostgreSQL store " + url)
          .doesNotContain(cluster.password());
    } finally {
      release(logs);
    }
  }

  @Test
  void aPasswordFileOthersCanReadIsRefusedAtStartNamingTheFileAndTheMode() throws Exception {
    String url = cluster.createDatabase();
    Path password = passwordFile("rw-r--r--");
    assertThatThrownBy(
            () ->
                WhiskServer.start(
                    config(url, password), (clock, host) -> new FakeDispatcher(true), "pg-test"))
        .hasMessageContaining("store.postgres.password-file")
        .hasMessageContaining(password.toString())
        .hasMessageContaining("rw-r--r--")
        .hasMessageNotContaining(cluster.password());
  }

  @Test
  void aWrongPasswordOrUnreachableDatabaseFailsTheStartClearlyWithoutThePassword()
      throws Exception {
    String url = cluster.createDatabase();
    Path password = passwordFile("rw-------");
    String real = cluster.password();
    Files.writeString(password, real + "x\n");
    assertThatThrownBy(
            () ->
                WhiskServer.start(
                    config(url, password), (clock, host) -> new FakeDispatcher(true), "pg-test"))
        .hasMessageContaining("cannot connect to the PostgreSQL store " + url)
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining(real);
  }

  @Test
  void aLocalAttackerCannotReadThePasswordNorReachTheClusterSocketOrData() throws Exception {
    LocalAttacker attacker = LocalAttacker.ensure();
    Path password = passwordFile("rw-------");
    assertThat(attacker.canRead(password)).isFalse();
    assertThat(attacker.canRead(cluster.dataDir().resolve("pg_hba.conf"))).isFalse();
    LocalAttacker.Result ls =
        attacker.run(Duration.ofSeconds(20), "ls", cluster.socketDir().toString());
    assertThat(ls.exitCode()).isNotZero();
    String psql = PostgresCluster.BIN.resolve("psql").toString();
    // the Unix socket: its directory is the postgres account's only
    LocalAttacker.Result socket =
        attacker.run(
            Duration.ofSeconds(30),
            psql,
            "-w",
            "-h",
            cluster.socketDir().toString(),
            "-p",
            Integer.toString(cluster.port()),
            "-U",
            cluster.user(),
            "-d",
            "postgres",
            "-c",
            "SELECT 1");
    assertThat(socket.exitCode()).isNotZero();
    assertThat(socket.all()).containsIgnoringCase("permission denied");
    // TCP: a password is required (scram-sha-256, no trust), for the store's user and the superuser
    for (String user : List.of(cluster.user(), "postgres", LocalAttacker.NAME)) {
      LocalAttacker.Result tcp =
          attacker.run(
              Duration.ofSeconds(30),
              psql,
              "-w",
              "-h",
              "127.0.0.1",
              "-p",
              Integer.toString(cluster.port()),
              "-U",
              user,
              "-d",
              "postgres",
              "-c",
              "SELECT 1");
      assertThat(tcp.exitCode()).as("login as %s over TCP", user).isNotZero();
      assertThat(tcp.all()).contains("no password supplied");
    }
    assertThat(cluster.log()).doesNotContain(cluster.password());
  }

  @Test
  void whileTheDatabaseIsStoppedTheApiAnswers503AndItRecoversByItselfWhenItReturns()
      throws Exception {
    String url = cluster.createDatabase();
    Path password = passwordFile("rw-------");
    try (WhiskServer server =
        WhiskServer.start(
            config(url, password), (clock, host) -> new FakeDispatcher(false), "pg-test")) {
      ApiClient api =
          new ApiClient("http://127.0.0.1:" + server.address().getPort(), Identity.GUEST.authKey());
      assertThat(
              api.put(
                      "/api/v1/namespaces/_/actions/echo",
                      "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return p}\"}}")
                  .status())
          .isEqualTo(200);
      assertThat(api.post("/api/v1/namespaces/_/actions/echo?blocking=true", "{}").status())
          .isEqualTo(200);
      cluster.stop();
      try {
        for (String path :
            List.of("/api/v1/namespaces/_/actions/echo", "/api/v1/namespaces/_/activations")) {
          ApiClient.Answer a = api.get(path);
          assertThat(a.status()).as("GET %s", path).isEqualTo(503);
          assertThat(a.body().path("error").asText()).contains("database is unavailable");
          assertThat(a.body().path("code").asText()).isNotEmpty();
          assertThat(a.raw().body()).doesNotContain("Exception").doesNotContain("at io.");
        }
        ApiClient.Answer invoke = api.post("/api/v1/namespaces/_/actions/echo", "{}");
        assertThat(invoke.status()).isEqualTo(503);
        assertThat(invoke.body().path("error").asText()).contains("not carried out");
      } finally {
        cluster.restart();
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> api.post("/api/v1/namespaces/_/actions/echo", "{}").status() == 202);
      assertThat(api.post("/api/v1/namespaces/_/actions/echo?blocking=true", "{}").status())
          .isEqualTo(200);
    }
  }
}

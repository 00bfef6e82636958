package io.hpcwhisk.balancer.pilots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.hpcwhisk.balancer.tls.LocalCa;
import io.hpcwhisk.balancer.tls.PemFiles;
import io.hpcwhisk.pilot.InvokerPilot;
import io.hpcwhisk.pilot.PilotIdentity;
import io.hpcwhisk.pilot.PilotSettings;
import io.hpcwhisk.runtime.ActionRuntimes;
import io.hpcwhisk.runtime.RuntimeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A real pilot (in this JVM) on a {@code wss://} balancer: with the right CA file it registers and
 * runs a blocking invoke that the client sent over HTTPS; with another CA, an expired certificate
 * or a certificate for another host it refuses to connect (exit 5, before its credential is sent)
 * with one line naming the URL, the CA file and the reason. Without a CA file a wss:// URL is
 * refused at start.
 */
class PilotTlsIT {

  @TempDir Path dir;
  private WhiskServer server;
  private LocalCa ca;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void ca() throws Exception {
    ca = LocalCa.openOrCreate(dir.resolve("tls"), "test CA");
    logs.start();
    ((Logger) LoggerFactory.getLogger(InvokerPilot.class)).addAppender(logs);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    ((Logger) LoggerFactory.getLogger(InvokerPilot.class)).detachAppender(logs);
  }

  private ServerConfig config;
  private int jobs = 100;

  private WhiskServer start(LocalCa.Issued cert) throws Exception {
    config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withExecutor("pilots")
                    .withDrainSeconds(1)
                    .withTls(ServerConfig.Tls.of(cert.certificate(), cert.key(), 10)))
            .withStore(
                ServerConfig.DEFAULT
                    .store()
                    .withDataDir(
                        dir.resolve("data-" + cert.certificate().getFileName()).toString()))
            .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
    return WhiskServer.start(config, "test");
  }

  private CompletableFuture<Integer> pilot(Path caFile) {
    String job = String.valueOf(jobs++);
    PilotIdentity identity =
        new PilotIdentity(job, "n1", 2, 1024, Instant.now(), Instant.now().plusSeconds(600), null);
    ActionRuntimes runtimes =
        new ActionRuntimes(
            RuntimeConfig.defaults(dir.resolve("rt-" + job), 1024)
                .withSandbox(RuntimeConfig.Sandbox.OFF)
                .withUnsandboxedNamespace("guest"));
    String token = WhiskServer.pilotCredentials(config).forJob(job, Instant.now().plusSeconds(600));
    InvokerPilot pilot =
        new InvokerPilot(
            identity,
            PilotSettings.of(
                    URI.create(server.pilotUrl()),
                    token,
                    dir.resolve("w-" + job),
                    caFile.toString())
                .withSandbox(RuntimeConfig.Sandbox.OFF),
            runtimes,
            "test");
    return CompletableFuture.supplyAsync(pilot::run);
  }

  @Test
  void aPilotTrustingTheServersCaServesOverWssAndTheClientOverHttps() throws Exception {
    server = start(ca.issue("server", List.of("127.0.0.1"), Duration.ofDays(1)));
    assertThat(server.pilotUrl()).startsWith("wss://127.0.0.1:");
    pilot(ca.certificateFile());
    PilotDispatcher dispatcher = (PilotDispatcher) server.dispatcher();
    await().atMost(Duration.ofSeconds(30)).until(() -> dispatcher.snapshot().pilots() == 1);

    HttpClient https = HttpClient.newBuilder().sslContext(trusting(ca.certificateFile())).build();
    String auth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(Identity.GUEST.authKey().getBytes(StandardCharsets.UTF_8));
    String base = server.apiUrl();
    assertThat(base).startsWith("https://");
    HttpResponse<String> put =
        https.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/_/actions/hello"))
                .header("Authorization", auth)
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":"
                            + "\"function main(p){return {greeting: 'hello ' + p.name}}\"}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    HttpResponse<String> invoke =
        https.send(
            HttpRequest.newBuilder(
                    URI.create(
                        base + "/api/v1/namespaces/_/actions/hello?blocking=true&result=true"))
                .header("Authorization", auth)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"tls\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(invoke.statusCode()).as(invoke.body()).isEqualTo(200);
    assertThat(invoke.body()).contains("hello tls");
  }

  @Test
  void aPilotRefusesAnotherCaAnExpiredCertificateAndAnotherHostName() throws Exception {
    LocalCa other = LocalCa.openOrCreate(dir.resolve("other"), "another CA");
    record Case(String name, LocalCa.Issued cert, Path caFile, String reason) {}
    Instant now = Instant.now();
    List<Case> cases =
        List.of(
            new Case(
                "other-ca",
                ca.issue("good", List.of("127.0.0.1"), Duration.ofDays(1)),
                other.certificateFile(),
                "PKIX path"),
            new Case(
                "expired",
                ca.issue(
                    "expired",
                    List.of("127.0.0.1"),
                    now.minus(Duration.ofDays(10)),
                    now.minus(Duration.ofDays(1))),
                ca.certificateFile(),
                "expired"),
            new Case(
                "wrong-host",
                ca.issue("wrong-host", List.of("127.0.0.2", "login1.cluster"), Duration.ofDays(1)),
                ca.certificateFile(),
                "127.0.0.1"));
    for (Case c : cases) {
      server = start(c.cert());
      int exit = pilot(c.caFile()).get(60, TimeUnit.SECONDS);
      assertThat(exit).as(c.name()).isEqualTo(InvokerPilot.EXIT_UNTRUSTED);
      assertThat(((PilotDispatcher) server.dispatcher()).snapshot().pilots()).as(c.name()).isZero();
      String url = server.pilotUrl();
      assertThat(logs.list)
          .as(c.name())
          .anyMatch(
              e ->
                  e.getFormattedMessage().contains("refusing to connect to " + url)
                      && e.getFormattedMessage().contains(c.caFile().toString())
                      && e.getFormattedMessage().contains(c.reason()));
      server.close();
      server = null;
    }
  }

  @Test
  void aWssUrlWithoutACaFileIsRefusedAtStart() {
    assertThatThrownBy(() -> PilotSettings.of(URI.create("wss://10.0.0.1:3234/pilot/v1"), "t", dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wss:// but no CA file")
        .hasMessageContaining("pilot.ca-file");
  }

  private static SSLContext trusting(Path caFile) throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(PemFiles.trustStore("CA", caFile));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}

package io.hpcwhisk.balancer.pilots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.hpcwhisk.pilot.InvokerPilot;
import io.hpcwhisk.pilot.PilotIdentity;
import io.hpcwhisk.pilot.PilotSettings;
import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.runtime.ActionRuntimes;
import io.hpcwhisk.runtime.RuntimeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The real server and a real pilot (in this JVM) over real WebSockets, attacked by a rogue client
 * that holds valid credentials of its own: it tries to register under the live pilot's id (refused
 * with close 1013, logged without the credential, counted; the pilot stays registered and is not
 * disconnected) and, registered under its own job, to acknowledge, start, hand back and complete
 * the activation the real pilot is running (each dropped and counted): the user's record is the
 * real result.
 */
class PilotHijackIT {

  /**
   * The expiry of the job credentials these tests issue (fixed, so the same job gives the same
   * token).
   */
  static final Instant UNTIL = Instant.now().plusSeconds(3600);

  @TempDir Path dir;
  WhiskServer server;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final List<Logger> watched =
      List.of(
          (Logger) LoggerFactory.getLogger(PilotEndpoint.class),
          (Logger) LoggerFactory.getLogger(PilotDispatcher.class));

  @AfterEach
  void stop() {
    watched.forEach(l -> l.detachAppender(logs));
    if (server != null) {
      server.close();
    }
  }

  /** A WebSocket client that records what the balancer sends and how it closes. */
  static final class Rogue implements WebSocket.Listener {
    final List<String> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    static Rogue connect(String url, String token) throws Exception {
      Rogue rogue = new Rogue();
      rogue.socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .header("Authorization", "Bearer " + token)
              .buildAsync(URI.create(url), rogue)
              .get(10, TimeUnit.SECONDS);
      return rogue;
    }

    void send(PilotMessage message) {
      socket.sendText(PilotProtocol.encode(message), true).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete("error " + error);
    }
  }

  static PilotMessage.Register register(String job) {
    return register(job, "n1");
  }

  static PilotMessage.Register register(String job, String node) {
    long now = System.currentTimeMillis();
    return new PilotMessage.Register(
        "slurm-" + job,
        job,
        node,
        2,
        1024,
        List.of("nodejs:20"),
        Map.of(),
        now + 600_000,
        now,
        now,
        "rogue",
        PilotProtocol.MINOR);
  }

  /** What a rogue registered under its own pilot id says about someone else's activation. */
  static void claim(Rogue rogue, String activationId) {
    long now = System.currentTimeMillis();
    rogue.send(new PilotMessage.Accepted(activationId));
    rogue.send(new PilotMessage.Started(activationId, now));
    rogue.send(
        new PilotMessage.HandBack(
            List.of(new PilotMessage.HandBack.Item(activationId, false)), "forged"));
    rogue.send(
        new PilotMessage.Completed(
            new ActivationOutcome(
                activationId,
                ActivationStatus.SUCCESS,
                JsonNodeFactory.instance.objectNode().put("forged", "by rogue pilot"),
                List.of(),
                now,
                now,
                0,
                0,
                false)));
  }

  private String metrics() throws Exception {
    var request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics"))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void aRogueWithItsOwnCredentialCanNeitherTakeALivePilotsIdNorEndItsActivation() throws Exception {
    watched.forEach(l -> l.addAppender(logs));
    logs.start();
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withExecutor("pilots")
                    .withDrainSeconds(1))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
            // the pilots here run in this JVM, not as Slurm jobs: explicitly unverified
            .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
    server = WhiskServer.start(config, "test");
    PilotCredentials credentials = WhiskServer.pilotCredentials(config);
    PilotDispatcher dispatcher = (PilotDispatcher) server.dispatcher();

    PilotIdentity identity =
        new PilotIdentity("77", "n1", 2, 1024, Instant.now(), Instant.now().plusSeconds(600), null);
    InvokerPilot real =
        new InvokerPilot(
            identity,
            PilotSettings.of(
                    URI.create(server.pilotUrl()),
                    credentials.forJob("77", UNTIL),
                    dir.resolve("w-77"))
                .withSandbox(RuntimeConfig.Sandbox.OFF),
            new ActionRuntimes(
                RuntimeConfig.defaults(dir.resolve("rt-77"), 1024)
                    .withSandbox(RuntimeConfig.Sandbox.OFF)
                    .withUnsandboxedNamespace("guest")),
            "test");
    CompletableFuture<Integer> realRun = CompletableFuture.supplyAsync(real::run);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> dispatcher.registeredJobs().containsKey("slurm-77"));

    ApiClient api =
        new ApiClient("http://127.0.0.1:" + server.address().getPort(), Identity.GUEST.authKey());
    assertThat(
            api.put(
                    "/api/v1/namespaces/_/actions/slow",
                    "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return new"
                        + " Promise(r => setTimeout(() => r({by: 'the real pilot'}), 4000))}\"}}")
                .status())
        .isEqualTo(200);
    ApiClient.Answer invoked = api.post("/api/v1/namespaces/_/actions/slow", "{}");
    assertThat(invoked.status()).isEqualTo(202);
    String activationId = invoked.body().path("activationId").asText();
    await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.snapshot().inFlight() == 1);

    // 1. take the live pilot's id, with a credential that would admit it were the id free
    String submission = credentials.forSubmission();
    Rogue hijacker = Rogue.connect(server.pilotUrl(), submission);
    hijacker.send(register("77"));
    assertThat(hijacker.closed.get(10, TimeUnit.SECONDS))
        .isEqualTo(
            "1013 pilot id slurm-77 is held by a live connection; try again once it has closed or"
                + " gone offline");
    assertThat(hijacker.received).as("no 'registered', no 'activate'").isEmpty();
    assertThat(dispatcher.registeredJobs()).containsEntry("slurm-77", "77");
    assertThat(realRun).as("the real pilot was not disconnected").isNotDone();

    // 2. registered under a job of its own, claim the real pilot's activation
    Rogue rogue = Rogue.connect(server.pilotUrl(), credentials.forJob("88", UNTIL));
    rogue.send(register("88"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> rogue.received.stream().anyMatch(m -> m.contains("registered")));
    claim(rogue, activationId);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                metrics()
                    .contains(
                        "whisk_pilot_messages_dropped_total{reason=\"foreign_connection\"} 4.0"));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> api.get("/api/v1/namespaces/_/activations/" + activationId).status() == 200);
    var record = api.get("/api/v1/namespaces/_/activations/" + activationId).body();
    assertThat(record.path("response").path("result").toString())
        .isEqualTo("{\"by\":\"the real pilot\"}");
    assertThat(record.path("response").path("success").asBoolean()).isTrue();
    assertThat(rogue.received).noneMatch(m -> m.contains("\"activate\""));
    assertThat(dispatcher.registeredJobs()).containsEntry("slurm-77", "77");
    assertThat(realRun).isNotDone();

    assertThat(metrics())
        .contains("whisk_pilot_registrations_refused_total{reason=\"id_in_use\"} 1.0");
    List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines)
        .anyMatch(
            l ->
                l.startsWith("refused pilot slurm-77 (job 77) from ")
                    && l.contains("held by a live connection"));
    assertThat(lines)
        .anyMatch(l -> l.contains("dropped 'accepted' for activation " + activationId));
    assertThat(lines)
        .noneMatch(
            l ->
                l.contains(submission)
                    || l.contains(credentials.forJob("88", UNTIL))
                    || l.contains(credentials.forJob("77", UNTIL)));
  }

  @Test
  void aPilotLockedOutByASilentHolderOfItsIdGetsInOnceTheHolderIsDeclaredOffline()
      throws Exception {
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withExecutor("pilots")
                    .withDrainSeconds(1))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
            // the pilots here run in this JVM, not as Slurm jobs: explicitly unverified
            .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
    server = WhiskServer.start(config, "test");
    PilotCredentials credentials = WhiskServer.pilotCredentials(config);
    PilotDispatcher dispatcher = (PilotDispatcher) server.dispatcher();
    // holds slurm-78 over an open connection and says nothing more: what a half-open connection
    // looks like
    Rogue silent = Rogue.connect(server.pilotUrl(), credentials.forJob("78", UNTIL));
    silent.send(register("78"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> silent.received.stream().anyMatch(m -> m.contains("registered")));

    PilotIdentity identity =
        new PilotIdentity("78", "n1", 2, 1024, Instant.now(), Instant.now().plusSeconds(600), null);
    InvokerPilot real =
        new InvokerPilot(
            identity,
            PilotSettings.of(
                    URI.create(server.pilotUrl()),
                    credentials.forJob("78", UNTIL),
                    dir.resolve("w-78"))
                .withSandbox(RuntimeConfig.Sandbox.OFF),
            new ActionRuntimes(
                RuntimeConfig.defaults(dir.resolve("rt-78"), 1024)
                    .withSandbox(RuntimeConfig.Sandbox.OFF)
                    .withUnsandboxedNamespace("guest")),
            "test");
    CompletableFuture<Integer> realRun = CompletableFuture.supplyAsync(real::run);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                metrics()
                    .contains("whisk_pilot_registrations_refused_total{reason=\"id_in_use\"}"));
    assertThat(realRun)
        .as("refused with 'try again later', the pilot retries instead of exiting")
        .isNotDone();

    // offline after 3 s without a heartbeat: the silent holder is closed and the pilot's next
    // attempt gets in
    assertThat(silent.closed.get(20, TimeUnit.SECONDS)).startsWith("1001 offline");
    ApiClient api =
        new ApiClient("http://127.0.0.1:" + server.address().getPort(), Identity.GUEST.authKey());
    assertThat(
            api.put(
                    "/api/v1/namespaces/_/actions/hello",
                    "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":"
                        + "\"function main(){return {by: 'the real pilot'}}\"}}")
                .status())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                dispatcher.snapshot().pilots() == 1
                    && metrics().contains("whisk_pilots{health=\"healthy\"} 1.0"));
    ApiClient.Answer answer = api.post("/api/v1/namespaces/_/actions/hello?blocking=true", "{}");
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    assertThat(answer.body().path("response").path("result").path("by").asText())
        .isEqualTo("the real pilot");
    assertThat(realRun).isNotDone();
  }
}

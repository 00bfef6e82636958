package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.protocol.PilotProtocol;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pilots' own connector: its own port and thread pool; it serves the pilot WebSocket and
 * nothing else, and the API connector does not serve the pilot upgrade, each refusal the API's 404
 * JSON body. A hostile API user who tries the pilot path on the API port gets that 404 (counted in
 * {@code whisk_http_requests} like any route).
 */
class PilotConnectorIT {

  @TempDir Path dir;
  private WhiskServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private ServerConfig config(int port) {
    return ServerConfig.DEFAULT
        .withApi(
            ServerConfig.DEFAULT
                .api()
                .withPort(port)
                .withGuest(true)
                .withExecutor("pilots")
                .withDrainSeconds(1))
        .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
        .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
  }

  @Test
  void pilotsHaveTheirOwnConnectorAndThreadsAndEachConnectorServesOnlyItsOwnSide()
      throws Exception {
    server = WhiskServer.start(config(0), "test");
    int apiPort = server.address().getPort();
    int pilotPort = server.pilotAddress().orElseThrow().getPort();
    assertThat(pilotPort).isPositive().isNotEqualTo(apiPort);
    assertThat(server.pilotUrl()).isEqualTo("ws://127.0.0.1:" + pilotPort + PilotProtocol.PATH);
    assertThat(server.pilotAddress().orElseThrow().getHostString())
        .isEqualTo(server.address().getHostString());

    var pilotPool = server.http().pilotExecutor().orElseThrow();
    assertThat(pilotPool)
        .isNotSameAs(server.http().apiExecutor())
        .isInstanceOf(QueuedThreadPool.class);
    assertThat(((QueuedThreadPool) pilotPool).getName()).isEqualTo("pilots");
    assertThat(((QueuedThreadPool) server.http().apiExecutor()).getName()).isEqualTo("api");

    // the pilot connector: every API path, /metrics, and the pilot path without an upgrade are 404
    // JSON
    ApiClient onPilotPort =
        new ApiClient("http://127.0.0.1:" + pilotPort, Identity.GUEST.authKey());
    for (String path :
        new String[] {
          "/", "/api/v1", "/api/v1/namespaces/_/actions", "/metrics", PilotProtocol.PATH
        }) {
      for (String method : new String[] {"GET", "PUT", "POST", "DELETE"}) {
        ApiClient.Answer a =
            onPilotPort.send(
                method, path, method.equals("GET") || method.equals("DELETE") ? null : "{}", null);
        assertThat(a.status()).as(method + " " + path + " on the pilot port").isEqualTo(404);
        assertThat(a.header("Content-Type")).startsWith("application/json");
        assertThat(a.error()).isEqualTo("The requested resource could not be found.");
        assertThat(a.body().path("code").asText()).isNotBlank();
      }
    }
    // the API connector: the API and /metrics as before, the pilot path is 404 JSON
    ApiClient onApiPort = new ApiClient("http://127.0.0.1:" + apiPort, Identity.GUEST.authKey());
    assertThat(onApiPort.get("/api/v1/namespaces/_/actions").status()).isEqualTo(200);
    assertThat(metrics(apiPort)).contains("whisk_pilots");
    ApiClient.Answer plain = onApiPort.get(PilotProtocol.PATH);
    assertThat(plain.status()).isEqualTo(404);
    assertThat(plain.error()).isEqualTo("The requested resource could not be found.");

    // a WebSocket upgrade to the pilot path: refused (404) on the API port, accepted on the pilot
    // port
    HttpClient http = HttpClient.newHttpClient();
    assertThatThrownBy(
            () ->
                http.newWebSocketBuilder()
                    .buildAsync(
                        URI.create("ws://127.0.0.1:" + apiPort + PilotProtocol.PATH),
                        new WebSocket.Listener() {})
                    .get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(WebSocketHandshakeException.class)
        .satisfies(
            e ->
                assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                    .isEqualTo(404));
    WebSocket ws =
        http.newWebSocketBuilder()
            .buildAsync(URI.create(server.pilotUrl()), new WebSocket.Listener() {})
            .get(10, TimeUnit.SECONDS);
    ws.abort();
    assertThat(metrics(apiPort))
        .as("the refused upgrade is counted as an API 404")
        .containsPattern(
            "whisk_http_requests_seconds_count\\{method=\"GET\",route=\"other\",status=\"404\"\\}"
                + " [1-9]");
  }

  private static String metrics(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void aFixedApiPortGivesTheSamePilotUrlAfterARestartAndAConfiguredPortIsUsed() throws Exception {
    int port = freePair();
    server = WhiskServer.start(config(port), "test");
    String first = server.pilotUrl();
    assertThat(first).isEqualTo("ws://127.0.0.1:" + (port + 1) + PilotProtocol.PATH);
    server.close();
    server = null;
    server = WhiskServer.start(config(port), "test");
    assertThat(server.pilotUrl())
        .as("pilots reconnect to the URL they were given")
        .isEqualTo(first);
    server.close();
    server = null;

    int chosen;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      chosen = free.getLocalPort();
    }
    ServerConfig c = config(0);
    server = WhiskServer.start(c.withPilots(c.balancer().withPort(chosen)), "test");
    assertThat(server.pilotUrl()).isEqualTo("ws://127.0.0.1:" + chosen + PilotProtocol.PATH);
  }

  @Test
  void aPilotPortInUseIsNamedAtStartAndLeavesNothingOpen() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ServerConfig c = config(0);
      ServerConfig clash = c.withPilots(c.balancer().withPort(taken.getLocalPort()));
      assertThatThrownBy(() -> WhiskServer.start(clash, "test"))
          .hasMessageContaining("cannot listen for pilots on 127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("balancer.port");
      // the store was closed again: the same data directory starts
      server = WhiskServer.start(c, "test");
      assertThat(server.pilotAddress()).isPresent();
      server.close();
      server = null;
    }
    // the API port in use: the pilot port opened first is released again
    int pilotPort = freePair();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ServerConfig c = config(taken.getLocalPort());
      ServerConfig apiClash = c.withPilots(c.balancer().withPort(pilotPort));
      assertThatThrownBy(() -> WhiskServer.start(apiClash, "test"))
          .hasMessageContaining("" + taken.getLocalPort());
    }
    ServerConfig c = config(0);
    server = WhiskServer.start(c.withPilots(c.balancer().withPort(pilotPort)), "test");
    assertThat(server.pilotAddress().orElseThrow().getPort()).isEqualTo(pilotPort);
  }

  /** A free loopback port whose next port is free too. */
  private static int freePair() throws Exception {
    while (true) {
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          ServerSocket next =
              new ServerSocket(free.getLocalPort() + 1, 1, InetAddress.getLoopbackAddress())) {
        return free.getLocalPort();
      } catch (IOException taken) {
        // another pair
      }
    }
  }

  @Test
  void aServerWithoutPilotsHasNoPilotConnector() throws Exception {
    ServerConfig c = config(0);
    server = WhiskServer.start(c.withApi(c.api().withExecutor("none")), "test");
    assertThat(server.pilotAddress()).isEmpty();
    assertThat(server.http().pilotExecutor()).isEmpty();
    assertThatThrownBy(server::pilotUrl).hasMessageContaining("no pilot endpoint");
    ApiClient.Answer a =
        new ApiClient("http://127.0.0.1:" + server.address().getPort(), null)
            .get(PilotProtocol.PATH);
    assertThat(a.status()).isEqualTo(404);
  }
}

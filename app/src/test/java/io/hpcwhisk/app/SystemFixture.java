package io.hpcwhisk.app;

import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.testkit.SlurmEnv;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The server with its controller and real pilots on the testkit's Slurm cluster, for the system
 * ITs.
 */
final class SystemFixture {

  static final Path HOME = Path.of("").toAbsolutePath().getParent(); // failsafe runs in app/
  static final String GUEST = Identity.GUEST.uuid() + ":" + Identity.GUEST.key();
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private SystemFixture() {}

  /**
   * A free loopback port whose next port (the pilots' default, {@code balancer.port}) is free too.
   */
  static int freePort() throws IOException {
    for (int attempt = 0; ; attempt++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = s.getLocalPort();
        if (port < 65535) {
          try (ServerSocket next =
              new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
            return port;
          } catch (IOException taken) {
            if (attempt >= 50) {
              throw taken;
            }
          }
        }
      }
    }
  }

  static ServerConfig serverConfig(int port, Path dataDir) {
    return ServerConfig.DEFAULT
        .withApi(
            ServerConfig.DEFAULT
                .api()
                .withPort(port)
                .withGuest(true)
                .withExecutor("pilots")
                .withDrainSeconds(5))
        .withStore(ServerConfig.DEFAULT.store().withDataDir(dataDir.toString()));
  }

  static HarvestConfig harvestConfig(
      SlurmEnv slurm, Path dir, String policy, Map<String, String> params) {
    UpSession.Settings s =
        new UpSession.Settings(
            dir, slurm.nodes().size(), 0, policy, 1, false, Duration.ofSeconds(60), HOME);
    HarvestConfig base = UpSession.harvestConfig(s, slurm.conf(), slurm.binDir());
    var h = base.harvest();
    return new HarvestConfig(
        base.slurm(),
        new HarvestConfig.Harvest(
            policy,
            params,
            Duration.ofSeconds(1),
            false,
            h.maxSubmissionsPerPass(),
            h.expeditePreemption(),
            h.pilotJob()));
  }

  static SystemServer start(int port, Path dataDir, HarvestConfig harvest) throws Exception {
    return SystemServer.start(
        serverConfig(port, dataDir), Optional.of(harvest), HOME, "test", r -> {});
  }

  static HttpResponse<String> call(String method, String url, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(75))
            .header("Content-Type", "application/json")
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder().encodeToString(GUEST.getBytes(StandardCharsets.UTF_8)))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String get(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static void putAction(String base, String name, String kind, String code) throws Exception {
    var r =
        call(
            "PUT",
            base + "/api/v1/namespaces/guest/actions/" + name + "?overwrite=true",
            "{\"exec\":{\"kind\":\"" + kind + "\",\"code\":" + UpSession.json(code) + "}}");
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "PUT action " + name + ": " + r.statusCode() + " " + r.body());
    }
  }

  /** Whether a program is on the PATH. */
  static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}

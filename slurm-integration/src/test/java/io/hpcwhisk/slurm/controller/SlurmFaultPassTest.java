package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.hpcwhisk.core.cluster.ClusterView;
import io.hpcwhisk.slurm.SlurmAccessException;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmCommandException;
import io.hpcwhisk.slurm.rest.SlurmRestClient;
import io.hpcwhisk.slurm.rest.SlurmRestClusterView;
import io.hpcwhisk.slurm.rest.TokenFile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The controller pass while Slurm answers garbage, an unknown version, or nothing: one log line per
 * outage (and one when its reason changes), every failed pass counted by reason, nothing submitted
 * or cancelled, the pilots kept, and back to work by itself.
 */
class SlurmFaultPassTest {

  @TempDir Path dir;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private HttpServer server;
  private final AtomicReference<String> body = new AtomicReference<>();

  @BeforeEach
  void setUp() throws Exception {
    logs.start();
    ((Logger) LoggerFactory.getLogger(ReconcilePass.class)).addAppender(logs);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(ReconcilePass.class)).detachAppender(logs);
    server.stop(0);
  }

  private long warnings() {
    return logs.list.stream().filter(e -> e.getLevel().toString().equals("WARN")).count();
  }

  private double errors(String reason) {
    return registry.get("hpcwhisk.slurm.errors").tag("reason", reason).counter().count();
  }

  @Test
  void garbageThenAnUnknownVersionThenRecovery() throws Exception {
    FakeCluster cluster = new FakeCluster("n1", "n2");
    Path token = dir.resolve("token");
    Files.writeString(token, "eyJhbGciOiJIUzI1NiJ9.e30.c2ln\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    var rest =
        new SlurmRestClusterView(
            new SlurmRestClient(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                "hpcw",
                new TokenFile(token),
                Duration.ofSeconds(5),
                1 << 20,
                SlurmCli.CallObserver.NONE),
            cluster);
    AtomicReference<ClusterView> view = new AtomicReference<>(cluster);
    ReconcilePass pass =
        HarvestController.pass(
            ReconcilePassTest.config("adaptive", Map.of(), false),
            new HarvestMetrics(registry, "adaptive"),
            () -> view.get().observe(),
            cluster,
            cluster);

    pass.run();
    int pilots = cluster.submitted.size();
    assertThat(pilots).as("pilots before the faults").isPositive();

    view.set(rest);
    body.set("<html><body>502 Bad Gateway</body></html>");
    for (int i = 0; i < 5; i++) {
      cluster.now = cluster.now.plusSeconds(5);
      assertThat(pass.run().failure()).hasValueSatisfying(f -> assertThat(f).contains("not JSON"));
    }
    assertThat(warnings()).as("one line for five failed passes").isEqualTo(1);
    assertThat(errors("garbage")).isEqualTo(5);

    body.set(
        "{\"nodes\":[],\"meta\":{\"plugin\":{\"data_parser\":\"data_parser/v0.0.44\"},"
            + "\"slurm\":{\"release\":\"27.05.0\"}},\"errors\":[]}");
    for (int i = 0; i < 3; i++) {
      cluster.now = cluster.now.plusSeconds(5);
      assertThat(pass.run().failure())
          .hasValueSatisfying(f -> assertThat(f).contains("data_parser/v0.0.44"));
    }
    assertThat(warnings()).as("one more line: the reason changed").isEqualTo(2);
    assertThat(errors("version")).isEqualTo(3);
    cluster.now = cluster.now.plusSeconds(61);
    pass.run();
    assertThat(warnings()).as("a reminder after a minute").isEqualTo(3);

    assertThat(cluster.submitted).as("nothing submitted during the outage").hasSize(pilots);
    assertThat(cluster.cancelled).as("nothing cancelled").isEmpty();

    view.set(cluster);
    assertThat(pass.run().failure()).isEmpty();
    assertThat(logs.list.get(logs.list.size() - 1).getFormattedMessage())
        .startsWith("Slurm reachable again after 9 failed pass(es)");
    assertThat(cluster.submitted).as("the pilots were kept: none again").hasSize(pilots);
    assertThat(registry.get("hpcwhisk.slurm.up").gauge().value()).isEqualTo(1);
  }

  @Test
  void aTimedOutCommandAndAnUnreachableControllerAreCountedApart() {
    FakeCluster cluster = new FakeCluster("n1");
    ClusterView timingOut =
        () -> {
          throw SlurmCommandException.notRun(
              List.of("squeue", "--json"), "timed out after 15000 ms", null);
        };
    ReconcilePass pass =
        HarvestController.pass(
            ReconcilePassTest.config("adaptive", Map.of(), false),
            new HarvestMetrics(registry, "adaptive"),
            timingOut,
            cluster,
            cluster);
    pass.run();
    assertThat(errors("timeout")).isEqualTo(1);
    cluster.down = true;
    ReconcilePass down =
        HarvestController.pass(
            ReconcilePassTest.config("adaptive", Map.of(), false),
            new HarvestMetrics(registry, "adaptive"),
            cluster,
            cluster,
            cluster);
    down.run();
    assertThat(errors("unreachable")).isEqualTo(1);
    assertThat(SlurmAccessException.Reason.values()).hasSize(6);
  }
}

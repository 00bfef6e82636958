package io.hpcwhisk.balancer.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.testkit.Required;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official {@code openwhisk} npm client's {@code feeds} API (create, get, update, delete) with
 * the {@code /whisk.system/alarms} feeds: starts a real server on a free loopback port and runs
 * {@code node --test feeds.test.js} in {@code src/test/node}. Needs node and {@code npm ci} there
 * (as {@code ConformanceIT}).
 */
class FeedsConformanceIT {

  private static final Path NODE_DIR = Path.of("src", "test", "node");

  @TempDir Path dir;

  @Test
  void theOfficialClientsFeedsApiWorksWithTheAlarms() throws Exception {
    Required.on(
        Files.isDirectory(NODE_DIR.resolve("node_modules").resolve("openwhisk")) && nodeRuns(),
        "node and `npm ci --prefix load-balancer/src/test/node` are needed");
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT.api().withPort(0).withExecutor("none").withDrainSeconds(0))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()));
    try (WhiskServer server = WhiskServer.start(config, "feeds-conformance")) {
      String bobKey = server.identities().create("bob").authKey();
      ProcessBuilder pb =
          new ProcessBuilder("node", "--test", "--test-reporter=spec", "feeds.test.js")
              .directory(NODE_DIR.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("node.log").toFile());
      pb.environment().put("OW_APIHOST", "http://127.0.0.1:" + server.address().getPort());
      pb.environment().put("OW_BOB_KEY", bobKey);
      pb.environment().remove("__OW_API_KEY");
      pb.environment().remove("__OW_NAMESPACE");
      Process node = pb.start();
      boolean finished = node.waitFor(120, TimeUnit.SECONDS);
      if (!finished) {
        node.destroyForcibly();
      }
      String output = Files.readString(dir.resolve("node.log"));
      assertThat(finished).as("node --test finished within 120 s:\n" + output).isTrue();
      assertThat(node.exitValue()).as("node --test output:\n" + output).isZero();
      assertThat(output).contains("pass 3", "fail 0");
      assertThat(server.alarms().count()).as("every alarm the test made is gone").isZero();
    }
  }

  private static boolean nodeRuns() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

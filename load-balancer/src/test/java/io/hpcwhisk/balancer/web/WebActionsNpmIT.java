package io.hpcwhisk.balancer.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.testkit.Required;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official {@code openwhisk} npm client creates web actions (annotations {@code web-export},
 * {@code raw-http}, {@code final}, as {@code wsk action create --web} sets them) and node's own
 * {@code fetch} calls them with plain HTTP: {@code src/test/node/web.test.js} against a real server
 * running real nodejs actions. Needs node and {@code npm ci --prefix load-balancer/src/test/node}.
 */
class WebActionsNpmIT {

  private static final Path NODE_DIR = Path.of("src", "test", "node");

  @TempDir Path dir;

  @Test
  void webActionsCreatedWithTheNpmClientAnswerPlainHttp() throws Exception {
    Required.on(
        Files.isDirectory(NODE_DIR.resolve("node_modules").resolve("openwhisk")) && nodeRuns(),
        "node and `npm ci --prefix load-balancer/src/test/node` are needed");
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                new ServerConfig.Api(
                    "127.0.0.1", 0, true, "local", 60, 1_048_576L, 600_000, 1000, 5, 2048, 0))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()));
    try (WhiskServer server = WhiskServer.start(config, "web-npm")) {
      ProcessBuilder pb =
          new ProcessBuilder("node", "--test", "--test-reporter=spec", "web.test.js")
              .directory(NODE_DIR.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("node.log").toFile());
      pb.environment().put("OW_APIHOST", "http://127.0.0.1:" + server.address().getPort());
      pb.environment().put("OW_GUEST_KEY", Identity.GUEST.authKey());
      pb.environment().remove("__OW_API_KEY");
      pb.environment().remove("__OW_NAMESPACE");
      Process node = pb.start();
      boolean finished = node.waitFor(180, TimeUnit.SECONDS);
      if (!finished) {
        node.destroyForcibly();
      }
      String output = Files.readString(dir.resolve("node.log"));
      assertThat(finished).as("node --test finished within 180 s:\n" + output).isTrue();
      assertThat(node.exitValue()).as("node --test output:\n" + output).isZero();
      assertThat(output).contains("pass 2").contains("fail 0");
    }
  }

  private static boolean nodeRuns() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

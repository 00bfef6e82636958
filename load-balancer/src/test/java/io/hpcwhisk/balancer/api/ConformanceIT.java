package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenWhisk conformance test: starts a real server (local runtime executor, guest namespace) on
 * a free loopback port and runs {@code node --test} on every {@code *.test.js} in {@code
 * src/test/node}, where the official {@code openwhisk} npm client drives the API. Fails with node's
 * output when node's tests fail. Needs node and {@code npm ci} in {@code src/test/node}; without
 * them it is skipped outside CI and fails in CI.
 */
class ConformanceIT {

  private static final Path NODE_DIR = Path.of("src", "test", "node");

  @TempDir Path dir;

  @Test
  void theOfficialOpenWhiskClientWorks() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    boolean ready =
        Files.isDirectory(NODE_DIR.resolve("node_modules").resolve("openwhisk")) && nodeRuns();
    if (ci) {
      assertThat(ready)
          .as("node and `npm ci --prefix load-balancer/src/test/node` are required in CI")
          .isTrue();
    }
    assumeTrue(
        ready,
        "node or the openwhisk npm package is missing; run npm ci --prefix"
            + " load-balancer/src/test/node");

    Path zip = dir.resolve("action.zip");
    writeZipAction(zip);
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                new ServerConfig.Api(
                    "127.0.0.1", 0, true, "local", 60, 1_048_576L, 600_000, 1000, 5, 2048, 0))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()));
    try (WhiskServer server = WhiskServer.start(config, "conformance")) {
      String bobKey = server.identities().create("bob").authKey();
      List<String> command =
          new ArrayList<>(
              List.of("node", "--test", "--test-concurrency=1", "--test-reporter=spec"));
      try (var files = Files.list(NODE_DIR)) {
        // every *.test.js: conformance.test.js and the siblings of other topics (exact.test.js)
        files
            .map(f -> f.getFileName().toString())
            .filter(f -> f.endsWith(".test.js"))
            .sorted()
            .forEach(command::add);
      }
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(NODE_DIR.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("node.log").toFile());
      pb.environment().put("OW_APIHOST", "http://127.0.0.1:" + server.address().getPort());
      pb.environment().put("OW_GUEST_KEY", Identity.GUEST.authKey());
      pb.environment().put("OW_BOB_KEY", bobKey);
      pb.environment().put("ZIP_ACTION", zip.toAbsolutePath().toString());
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
      long declared = 0;
      for (String file : command.subList(4, command.size())) {
        declared +=
            Files.readAllLines(NODE_DIR.resolve(file)).stream()
                .filter(l -> l.startsWith("test("))
                .count();
      }
      assertThat(output)
          .as("every top-level test of every *.test.js ran:\n" + output)
          .contains("tests " + declared + "\n");
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

  /** A nodejs action as a zip: package.json naming index.js, whose main doubles x. */
  private static void writeZipAction(Path zip) throws IOException {
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(out)) {
      z.putNextEntry(new ZipEntry("package.json"));
      z.write("{\"name\":\"zipped\",\"main\":\"index.js\"}".getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("index.js"));
      z.write(
          "exports.main = function (p) { return { zipped: true, doubled: p.x * 2 } }\n"
              .getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
  }
}

package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zip actions against a real server with the local executor (real node runtimes): a zip bomb made
 * here and an archive with names outside itself are refused with 400 at create and update and
 * nothing is stored; a good zip action runs, and deleting it removes its runtime's files under
 * {@code DATA_DIR/runtimes}.
 */
class ZipActionIT {

  @TempDir Path dir;
  private WhiskServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String zip(long zeros, String... namesAndContents) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        zip.putNextEntry(new ZipEntry(namesAndContents[i]));
        zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
      if (zeros > 0) {
        zip.putNextEntry(new ZipEntry("padding.bin"));
        byte[] block = new byte[1 << 20];
        for (long n = 0; n < zeros; n += block.length) {
          zip.write(block);
        }
        zip.closeEntry();
      }
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  private static String action(String base64) {
    return "{\"exec\":{\"kind\":\"nodejs:20\",\"binary\":true,\"code\":\"" + base64 + "\"}}";
  }

  private List<Path> runtimeDirs() throws IOException {
    Path runtimes = dir.resolve("data/runtimes");
    if (!Files.exists(runtimes)) {
      return List.of();
    }
    try (Stream<Path> all = Files.walk(runtimes, 3)) {
      return all.filter(p -> p.getParent().getFileName().toString().equals("actions")).toList();
    }
  }

  @Test
  void bombsAreRefusedAndADeletedActionsRuntimeFilesGo() throws Exception {
    server =
        WhiskServer.start(
            ServerConfig.DEFAULT
                .withApi(
                    ServerConfig.DEFAULT
                        .api()
                        .withPort(0)
                        .withGuest(true)
                        .withExecutor("local")
                        .withDrainSeconds(1))
                .withStore(
                    ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString())),
            "test");
    ApiClient api =
        new ApiClient("http://127.0.0.1:" + server.address().getPort(), Identity.GUEST.authKey());
    String index = "exports.main = function (p) { return {zipped: true}; }";

    // 96 MiB of zeros in a zip of about 100 kB
    String bomb = zip(96L << 20, "package.json", "{\"main\":\"index.js\"}", "index.js", index);
    ApiClient.Answer refused = api.put("/api/v1/namespaces/_/actions/bomb", action(bomb));
    assertThat(refused.status()).as(refused.raw().body()).isEqualTo(400);
    assertThat(refused.error())
        .contains("zip archive in 'exec.code' is refused")
        .contains("more than 100 times its size")
        .doesNotContain(dir.toString());
    assertThat(refused.body().path("code").asText()).isEqualTo(refused.header("X-Request-ID"));
    assertThat(api.get("/api/v1/namespaces/_/actions/bomb").status()).isEqualTo(404);

    ApiClient.Answer outside =
        api.put(
            "/api/v1/namespaces/_/actions/bomb",
            action(zip(0, "../../../outside.js", index, "index.js", index)));
    assertThat(outside.status()).isEqualTo(400);
    assertThat(outside.error()).contains("'../../../outside.js' points outside the archive");

    String good = zip(0, "package.json", "{\"main\":\"index.js\"}", "index.js", index);
    assertThat(api.put("/api/v1/namespaces/_/actions/zipped", action(good)).status())
        .isEqualTo(200);
    // an update to a bomb is refused too, and the stored action stays as it was
    assertThat(api.put("/api/v1/namespaces/_/actions/zipped?overwrite=true", action(bomb)).status())
        .isEqualTo(400);
    ApiClient.Answer run = api.post("/api/v1/namespaces/_/actions/zipped?blocking=true", "{}");
    assertThat(run.status()).as(run.raw().body()).isEqualTo(200);
    assertThat(run.body().path("response").path("result").path("zipped").asBoolean()).isTrue();
    assertThat(runtimeDirs()).hasSize(1);

    assertThat(api.delete("/api/v1/namespaces/_/actions/zipped").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).until(() -> runtimeDirs().isEmpty());
  }
}

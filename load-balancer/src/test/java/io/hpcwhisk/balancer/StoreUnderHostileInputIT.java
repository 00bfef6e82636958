package io.hpcwhisk.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.store.FatalStoreError;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store under hostile input, against a real server process (a separate JVM, real HTTP): what is
 * accepted can be read back after a restart, what is over the JSON limits is refused with a clear
 * {@code {"error","code"}}, and a store that fails for good ends the process with a non-zero status
 * instead of answering 500 for ever; the next start is clean.
 */
class StoreUnderHostileInputIT {

  private static final String NODE =
      "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return p}\"}}";

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    processes.forEach(Process::destroyForcibly);
  }

  private record Started(Process process, String base, Path log) {}

  private Started start(String mode) throws Exception {
    return start(mode, "-Xmx1g");
  }

  private Started start(String mode, String heap) throws Exception {
    Path log = dir.resolve("server-" + processes.size() + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            heap,
            "-cp",
            System.getProperty("java.class.path"),
            FakeExecutorServerMain.class.getName(),
            mode,
            dir.resolve("data").toString());
    pb.redirectError(log.toFile());
    Process p = pb.start();
    processes.add(p);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  if (line.startsWith("listening on ")) {
                    return line.substring("listening on ".length());
                  }
                }
                throw new IllegalStateException("server exited before listening; see " + log);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    return new Started(p, ready.get(60, TimeUnit.SECONDS), log);
  }

  private static String nested(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  @Test
  void deepPayloadsAreRefusedOrReadBackAfterARestart() throws Exception {
    Started first = start("echo");
    ApiClient api = new ApiClient(first.base(), Identity.GUEST.authKey());
    assertThat(api.put("/api/v1/namespaces/_/actions/echo", NODE).status()).isEqualTo(200);
    for (int depth : new int[] {201, 998, 999, 1000, 100_000}) {
      ApiClient.Answer refused = api.post("/api/v1/namespaces/_/actions/echo", nested(depth));
      assertThat(refused.status()).as("depth " + depth).isEqualTo(400);
      assertThat(refused.error())
          .isEqualTo(
              "The request content is over the server's JSON limits: the JSON nests "
                  + "deeper than the limit of 200 levels of objects and arrays.");
      assertThat(refused.body().path("code").asText()).isNotEmpty();
    }
    ApiClient.Answer deepParameter =
        api.put(
            "/api/v1/namespaces/_/actions/deep",
            "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"x\"},\"parameters\":[{\"key\":\"k\",\"value\":"
                + nested(197)
                + "}]}");
    assertThat(deepParameter.status()).as(deepParameter.raw().body()).isEqualTo(200);
    String id =
        api.post("/api/v1/namespaces/_/actions/echo", nested(200))
            .body()
            .path("activationId")
            .asText();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> api.get("/api/v1/namespaces/_/activations/" + id).status() == 200);
    String blocking =
        api.post("/api/v1/namespaces/_/actions/deep?blocking=true", "{}")
            .body()
            .path("activationId")
            .asText();

    // issue 21 item 9: a 45 MB action under the 48 MB limit is taken (Jackson's 20 M-character
    // default refused
    // it with its internal message); one over the limit is refused with the limit named
    String code = "x".repeat(45 * 1_048_576);
    ApiClient.Answer big =
        api.put(
            "/api/v1/namespaces/_/actions/big",
            "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"" + code + "\"}}");
    assertThat(big.status()).as(big.error()).isEqualTo(200);
    ApiClient.Answer tooBig =
        api.put(
            "/api/v1/namespaces/_/actions/huge",
            "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\""
                + code
                + "x".repeat(4 * 1_048_576)
                + "\"}}");
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tooBig.error())
        .startsWith("Request larger than allowed: ")
        .endsWith(" > 50331648 bytes.");

    first.process().destroy(); // SIGTERM: a clean stop
    assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    Started second = start("echo");
    ApiClient again = api.at(second.base());
    assertThat(again.get("/api/v1/namespaces/_/activations?limit=200").status()).isEqualTo(200);
    ApiClient.Answer record = again.get("/api/v1/namespaces/_/activations/" + id);
    assertThat(record.status()).isEqualTo(200);
    assertThat(record.body().path("response").path("result"))
        .isEqualTo(Json.readContent(nested(200).getBytes(StandardCharsets.UTF_8)));
    assertThat(again.get("/api/v1/namespaces/_/activations/" + blocking).status()).isEqualTo(200);
    assertThat(again.get("/api/v1/namespaces/_/actions/deep").status()).isEqualTo(200);
    assertThat(
            again.get("/api/v1/namespaces/_/actions/big").body().path("exec").path("code").asText())
        .hasSize(code.length());
  }

  @Test
  void aStoreThatFailsForGoodEndsTheProcessNonZeroAndTheNextStartIsClean() throws Exception {
    Started first = start("breakable");
    ApiClient api = new ApiClient(first.base(), Identity.GUEST.authKey());
    assertThat(api.put("/api/v1/namespaces/_/actions/echo", NODE).status()).isEqualTo(200);
    String before =
        api.post("/api/v1/namespaces/_/actions/echo", "{\"n\":1}")
            .body()
            .path("activationId")
            .asText();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> api.get("/api/v1/namespaces/_/activations/" + before).status() == 200);

    first.process().getOutputStream().write("break\n".getBytes(StandardCharsets.UTF_8));
    first.process().getOutputStream().flush();
    // the next request that touches the store finds it closed: the process exits instead of
    // answering 500
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              try {
                api.post("/api/v1/namespaces/_/actions/echo", "{\"n\":2}");
              } catch (UncheckedIOException e) {
                // the connection closed as the process went
              }
              return !first.process().isAlive();
            });
    assertThat(first.process().exitValue()).isEqualTo(FatalStoreError.EXIT_STATUS);
    String log = Files.readString(first.log());
    assertThat(log)
        .contains("FATAL: the store")
        .contains("has closed itself")
        .contains("exiting with status 70 so that the service manager restarts the server");

    Started second = start("echo");
    ApiClient again = api.at(second.base());
    assertThat(again.get("/api/v1/namespaces/_/activations/" + before).status()).isEqualTo(200);
    assertThat(again.get("/api/v1/namespaces/_/actions/echo").status()).isEqualTo(200);
    String after =
        again
            .post("/api/v1/namespaces/_/actions/echo", "{\"n\":3}")
            .body()
            .path("activationId")
            .asText();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> again.get("/api/v1/namespaces/_/activations/" + after).status() == 200);
    assertThat(Files.readString(second.log())).doesNotContain("FATAL");
  }

  @Test
  void sixConcurrentBigPutsOnASmallHeapLoseNothingAcknowledgedAndAStoreFailureEndsTheProcess()
      throws Exception {
    // issue 21 item 4: with 256 MB of heap, six concurrent 19 MB action PUTs run the store out of
    // memory
    Started first = start("echo", "-Xmx256m");
    ApiClient api = new ApiClient(first.base(), Identity.GUEST.authKey());
    String body =
        "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"" + "x".repeat(19 * 1_048_576) + "\"}}";
    List<CompletableFuture<Integer>> puts = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String path = "/api/v1/namespaces/_/actions/big" + i;
      puts.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return api.put(path, body).status();
                } catch (UncheckedIOException e) {
                  return -1; // the process went while this request was in flight
                }
              }));
    }
    List<Integer> statuses = puts.stream().map(CompletableFuture::join).toList();
    List<String> acknowledged = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      if (statuses.get(i) == 200) {
        acknowledged.add("big" + i);
      }
    }
    boolean failed = statuses.stream().anyMatch(s -> s != 200);
    System.out.println("six 19 MB PUTs on 256 MB: " + statuses);
    if (failed) {
      // a refused write either found the store closed (exit 70, FATAL logged) or the JVM itself ran
      // out of
      // memory elsewhere; in both cases the process must end instead of answering 500 for ever
      for (int i = 0; i < 20 && first.process().isAlive(); i++) {
        try {
          api.put("/api/v1/namespaces/_/actions/probe" + i, NODE);
        } catch (UncheckedIOException e) {
          // going
        }
        first.process().waitFor(1, TimeUnit.SECONDS);
      }
      if (first.process().isAlive()) {
        // the failures did not close the store (plain 500s for one request each): it must still
        // work
        assertThat(api.put("/api/v1/namespaces/_/actions/after", NODE).status()).isEqualTo(200);
        first.process().destroy();
      } else {
        assertThat(first.process().exitValue()).isEqualTo(FatalStoreError.EXIT_STATUS);
        assertThat(Files.readString(first.log())).contains("FATAL: the store");
      }
    } else {
      first.process().destroy();
    }
    assertThat(first.process().waitFor(60, TimeUnit.SECONDS)).isTrue();

    System.out.println(
        "first server: "
            + (first.process().exitValue() == FatalStoreError.EXIT_STATUS
                ? "exited 70 after FATAL"
                : "exit " + first.process().exitValue()));
    Started second = start("echo", "-Xmx768m");
    ApiClient again = api.at(second.base());
    for (String name : acknowledged) {
      ApiClient.Answer a = again.get("/api/v1/namespaces/_/actions/" + name + "?code=false");
      assertThat(a.status())
          .as(name + " was acknowledged (statuses " + statuses + ")")
          .isEqualTo(200);
    }
  }
}

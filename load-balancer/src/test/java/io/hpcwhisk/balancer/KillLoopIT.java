package io.hpcwhisk.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.auth.Identity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21's kill -9 loop: a real server process with the local executor (real node runtimes) is
 * killed with SIGKILL 20 times while clients invoke, and started again on the same data directory
 * each time. Every accepted activation ends with exactly one record, none of them a "File exists"
 * error or one showing a server path, and the runtime files of the killed processes are gone after
 * the last start.
 */
class KillLoopIT {

  private static final int KILLS = 20;

  @TempDir Path dir;
  private Process server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.destroyForcibly();
    }
  }

  private String start(int round) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            WhiskServer.class.getName(),
            "--port",
            "0",
            "--guest",
            "--executor",
            "local",
            "--data-dir",
            dir.resolve("data").toString());
    pb.redirectError(dir.resolve("server-" + round + ".log").toFile());
    server = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  if (line.startsWith("listening on ")) {
                    return line.substring("listening on ".length());
                  }
                }
                throw new IllegalStateException(
                    "server exited before listening; see "
                        + dir.resolve("server-" + round + ".log"));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            })
        .get(90, TimeUnit.SECONDS);
  }

  @Test
  void twentyKillsUnderLoadLoseNothingAndLeaveNoFilesInTheWay() throws Exception {
    Set<String> accepted = new LinkedHashSet<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    long started = System.nanoTime();
    try {
      for (int round = 0; round < KILLS; round++) {
        String base = start(round);
        ApiClient api = new ApiClient(base, Identity.GUEST.authKey());
        if (round == 0) {
          assertThat(
                  api.put(
                          "/api/v1/namespaces/_/actions/echo",
                          "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":"
                              + "\"function main(p){return {n: p.n}}\"}}")
                      .status())
              .isEqualTo(200);
        }
        // four clients invoke until the kill; the kill comes once this round's runtimes are busy
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> load = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
          load.add(
              CompletableFuture.runAsync(
                  () -> {
                    while (running.get()) {
                      try {
                        ApiClient.Answer a =
                            api.post("/api/v1/namespaces/_/actions/echo", "{\"n\":1}");
                        if (a.status() == 202) {
                          ids.add(a.body().path("activationId").asText());
                        }
                      } catch (RuntimeException e) {
                        return; // the server is gone
                      }
                    }
                  },
                  clients));
        }
        int round0 = round;
        await().atMost(Duration.ofSeconds(60)).until(() -> ids.size() >= 5 + round0 % 7);
        server.destroyForcibly().waitFor(); // SIGKILL
        running.set(false);
        CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        accepted.addAll(ids);
      }

      String base = start(KILLS);
      ApiClient api = new ApiClient(base, Identity.GUEST.authKey());
      Map<String, JsonNode> records = new HashMap<>();
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                for (String id : accepted) {
                  if (!records.containsKey(id)) {
                    ApiClient.Answer a = api.get("/api/v1/namespaces/_/activations/" + id);
                    if (a.status() == 200) {
                      records.put(id, a.body());
                    }
                  }
                }
                return records.size() == accepted.size();
              });
      // exactly one record per accepted id: the list holds each id once. Paged as a client would:
      // up to an empty page, over the records started before the listing began (activations still
      // ending, e.g. re-run after the last kill, would otherwise shift the pages under the loop)
      List<String> listed = new ArrayList<>();
      long upto = System.currentTimeMillis();
      for (int skip = 0; ; skip += 200) {
        JsonNode page =
            api.get("/api/v1/namespaces/_/activations?limit=200&upto=" + upto + "&skip=" + skip)
                .body();
        page.forEach(r -> listed.add(r.path("activationId").asText()));
        if (page.isEmpty()) {
          break;
        }
      }
      assertThat(listed).doesNotHaveDuplicates().containsAll(accepted);
      List<String> bad = new ArrayList<>();
      int success = 0;
      for (JsonNode r : records.values()) {
        String text = r.toString();
        if (text.contains("File exists")
            || text.contains(dir.toString())
            || text.contains("/tmp/")) {
          bad.add(text);
        }
        if (r.path("response").path("success").asBoolean()) {
          success++;
        }
      }
      System.out.printf(
          "kill -9 loop: %d kills in %.0f s, %d accepted activations, each with one record"
              + " (%d successful), %d with 'File exists' or a server path%n",
          KILLS, (System.nanoTime() - started) / 1e9, accepted.size(), success, bad.size());
      assertThat(bad).isEmpty();
      assertThat(accepted.size()).isGreaterThanOrEqualTo(KILLS * 5);
      // the runtime files of the 20 killed processes were removed at the last start
      try (var starts = Files.list(dir.resolve("data").resolve("runtimes"))) {
        assertThat(starts.map(p -> p.getFileName().toString()).toList())
            .hasSize(1)
            .allMatch(n -> n.startsWith("start-" + server.pid() + "-"));
      }
    } finally {
      clients.shutdownNow();
    }
  }
}

package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.FakeDispatcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocking callers whose activations are still running when the server stops, over real HTTP: each
 * must get an answer it can act on — 202 with the activation id, as when a blocking wait runs out —
 * and the next start must run those activations to a record. A caller whose connection is simply
 * closed saw no id, so it would invoke again while the first activation, written down at the stop,
 * also runs at the next start: twice. Two races lost such answers: the callers were answered only
 * when the executor's shutdown ended their runs (4 of 15 stops), and then, under load, Jetty's stop
 * closed a waiting connection as idle while its answer was being written (1 of 20 stops with both
 * cores busy; once in a clean-clone CI run). Five stops per run.
 */
class ShutdownHttpIT {

  private static final String NODE =
      "{\"exec\":{\"kind\":\"nodejs:default\",\"code\":\"function main(p){return p}\"}}";
  private static final int CALLERS = 6;

  @TempDir Path dir;

  @RepeatedTest(value = 5, name = "stop {currentRepetition}")
  void blockingCallersRunningAtAStopGet202WithTheIdAndTheNextStartRunsThem() throws Exception {
    // blocking wait up to 60 s; a drain grace of 1 s on close
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                new ServerConfig.Api(
                    "127.0.0.1", 0, true, "none", 60, null, null, null, null, null, 1))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.toString()));
    FakeDispatcher holding = new FakeDispatcher(true); // the runs never end before the stop
    WhiskServer first = WhiskServer.start(config, (clock, host) -> holding, "test");
    ApiClient guest =
        new ApiClient("http://127.0.0.1:" + first.address().getPort(), Identity.GUEST.authKey());
    assertThat(guest.put("/api/v1/namespaces/_/actions/slow", NODE).status()).isEqualTo(200);

    List<CompletableFuture<ApiClient.Answer>> callers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      String body = "{\"n\":" + i + "}";
      callers.add(
          CompletableFuture.supplyAsync(
              () -> guest.post("/api/v1/namespaces/_/actions/slow?blocking=true", body)));
    }
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> holding.requests.size() == CALLERS);
    first.close();

    List<String> ids = new ArrayList<>();
    for (CompletableFuture<ApiClient.Answer> caller : callers) {
      ApiClient.Answer answer =
          caller.get(10, TimeUnit.SECONDS); // an exception here: the connection was closed
      assertThat(answer.status()).as(answer.raw().body()).isEqualTo(202);
      ids.add(answer.body().path("activationId").asText());
    }
    assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.matches("[0-9a-f]{32}"));

    FakeDispatcher echoing = new FakeDispatcher();
    try (WhiskServer second = WhiskServer.start(config, (clock, host) -> echoing, "test")) {
      assertThat(second.recovery().redispatched()).isEqualTo(CALLERS);
      ApiClient again = guest.at("http://127.0.0.1:" + second.address().getPort());
      for (String id : ids) {
        Awaitility.await()
            .atMost(10, TimeUnit.SECONDS)
            .until(() -> again.get("/api/v1/namespaces/_/activations/" + id).status() == 200);
        assertThat(
                again
                    .get("/api/v1/namespaces/_/activations/" + id)
                    .body()
                    .path("response")
                    .path("status")
                    .asText())
            .isEqualTo("success");
      }
      assertThat(echoing.requests)
          .as("each activation ran once after the restart")
          .hasSize(CALLERS);
    }
  }
}

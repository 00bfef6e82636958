package io.hpcwhisk.balancer.feeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarms fire on schedule, for real: a one-minute cron alarm and a ten-second interval alarm made
 * through the feed API fire their triggers (the trigger activation records appear, at the minute
 * and ten seconds apart); the server is closed and started again on the same data directory, and
 * both fire again; the feed's DELETE stops the interval alarm and deleting the trigger removes the
 * cron alarm. The one long test of the feeds (about two minutes: two cron minutes).
 */
class AlarmsScheduleIT {

  @TempDir Path dir;

  private ServerConfig config() {
    return ServerConfig.DEFAULT
        .withApi(ServerConfig.DEFAULT.api().withPort(0).withExecutor("none").withDrainSeconds(0))
        .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
        .withAlarms(new ServerConfig.Alarms(null, 10));
  }

  private static ApiClient.Answer feed(ApiClient who, String feed, String event, String params) {
    String body =
        "{\"lifecycleEvent\":\""
            + event
            + "\",\"authKey\":\"unused\","
            + params.substring(1, params.length() - 1)
            + "}";
    return who.post(
        "/api/v1/namespaces/whisk.system/actions/alarms/" + feed + "?blocking=true", body);
  }

  /** The start times of the trigger activation records of {@code trigger}, oldest first. */
  private static List<Long> fires(ApiClient user, String trigger) {
    JsonNode all = user.get("/api/v1/namespaces/_/activations?docs=true&limit=200").body();
    List<Long> out = new ArrayList<>();
    for (JsonNode r : all) {
      if (r.path("name").asText().equals(trigger)) {
        out.add(r.path("start").asLong());
      }
    }
    out.sort(Long::compare);
    return out;
  }

  private static void makeTriggerWithRule(ApiClient user, String trigger) {
    assertThat(user.put("/api/v1/namespaces/_/triggers/" + trigger, "{}").status()).isEqualTo(200);
    assertThat(
            user.put(
                    "/api/v1/namespaces/_/rules/on-" + trigger,
                    "{\"trigger\":\"" + trigger + "\",\"action\":\"noop\"}")
                .status())
        .isEqualTo(200);
  }

  @Test
  void aMinuteCronAndATenSecondIntervalFireOnScheduleAndAgainAfterARestart() throws Exception {
    String key;
    long restartedAt;
    try (WhiskServer server = WhiskServer.start(config(), "test")) {
      key = server.identities().create("alice").authKey();
      ApiClient alice = new ApiClient("http://127.0.0.1:" + server.address().getPort(), key);
      assertThat(
              alice
                  .put(
                      "/api/v1/namespaces/_/actions/noop",
                      "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p) { return p"
                          + " }\"}}")
                  .status())
          .isEqualTo(200);
      makeTriggerWithRule(alice, "minutely");
      makeTriggerWithRule(alice, "tensec");
      long created = System.currentTimeMillis();
      assertThat(
              feed(
                      alice,
                      "alarm",
                      "CREATE",
                      "{\"triggerName\":\"/_/minutely\",\"cron\":\"* * * * *\","
                          + "\"trigger_payload\":{\"kind\":\"cron\"}}")
                  .status())
          .isEqualTo(200);
      assertThat(
              feed(alice, "interval", "CREATE", "{\"triggerName\":\"/_/tensec\",\"seconds\":10}")
                  .status())
          .isEqualTo(200);

      // the interval fires every ten seconds from its creation; the cron at each minute
      List<Long> interval =
          await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(500))
              .until(() -> fires(alice, "tensec"), f -> f.size() >= 2);
      assertThat(interval.get(0) - created).isBetween(8_000L, 20_000L);
      assertThat(interval.get(1) - interval.get(0)).isBetween(8_000L, 12_000L);
      List<Long> cron =
          await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(500))
              .until(() -> fires(alice, "minutely"), f -> !f.isEmpty());
      assertThat(cron.get(0) % 60_000).as("fired at the minute").isLessThan(5_000L);
      JsonNode record =
          alice.get("/api/v1/namespaces/_/activations?docs=true&limit=200").body().get(0);
      assertThat(record).isNotNull();
      restartedAt = System.currentTimeMillis();
    }

    try (WhiskServer again = WhiskServer.start(config(), "test")) {
      ApiClient alice = new ApiClient("http://127.0.0.1:" + again.address().getPort(), key);
      assertThat(again.alarms().count()).isEqualTo(2);
      long startedAt = System.currentTimeMillis();
      List<Long> interval =
          await()
              .atMost(Duration.ofSeconds(40))
              .pollInterval(Duration.ofMillis(500))
              .until(
                  () -> fires(alice, "tensec"),
                  f -> f.stream().filter(t -> t > startedAt).count() >= 2);
      List<Long> after = interval.stream().filter(t -> t > startedAt).toList();
      assertThat(after.get(1) - after.get(0)).isBetween(8_000L, 12_000L);
      List<Long> cron =
          await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(500))
              .until(
                  () -> fires(alice, "minutely"), f -> f.stream().anyMatch(t -> t > restartedAt));
      long firstAfter = cron.stream().filter(t -> t > restartedAt).findFirst().orElseThrow();
      assertThat(firstAfter % 60_000).as("fired at the minute").isLessThan(5_000L);
      // the last fire is kept with the alarm
      JsonNode read =
          feed(alice, "interval", "READ", "{\"triggerName\":\"/_/tensec\"}")
              .body()
              .path("response")
              .path("result");
      assertThat(read.path("status").path("lastFire").asLong()).isGreaterThan(startedAt);
      assertThat(read.path("config").path("seconds").asInt()).isEqualTo(10);

      // DELETE stops the interval: no fire in the next 15 s (one and a half intervals)
      assertThat(feed(alice, "interval", "DELETE", "{\"triggerName\":\"/_/tensec\"}").status())
          .isEqualTo(200);
      int stopped = fires(alice, "tensec").size();
      await()
          .during(Duration.ofSeconds(15))
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> fires(alice, "tensec").size() == stopped);
      // deleting the trigger deletes its alarm
      assertThat(alice.delete("/api/v1/namespaces/_/triggers/minutely").status()).isEqualTo(200);
      assertThat(again.alarms().count()).isZero();
    }
  }
}

package io.hpcwhisk.balancer.feeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.config.AlarmsConfig;
import io.hpcwhisk.balancer.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarms fire on schedule, for real (Quartz, wall clock): a ten-second cron alarm (six fields,
 * seconds first) and a four-second interval alarm made through the feed API fire their triggers
 * (the trigger activation records appear, at each tenth second and four seconds apart); the server
 * is closed and started again on the same data directory, and both fire again; the feed's DELETE
 * stops the interval alarm and deleting the trigger removes the cron alarm. The server allows
 * schedules down to {@value #MIN_INTERVAL_SECONDS} s ({@code alarms.min-interval-seconds}), so the
 * test waits for one cron minute only (about 40-70 s in all); that five-field patterns fire at the
 * minute is checked on the Quartz expression in {@code AlarmServiceTest} and, for real, by a
 * once-a-minute alarm (five-field cron, every field a star) whose first fire, at most a minute
 * later, starts at a minute's second 0.
 */
class AlarmsScheduleIT {

  /** {@code alarms.min-interval-seconds} of the server under test: the interval alarm's period. */
  private static final int MIN_INTERVAL_SECONDS = 4;

  private static final long INTERVAL_MS = MIN_INTERVAL_SECONDS * 1000L;

  /** How far a fire's record may start from its schedule on a loaded machine. */
  private static final long FIRE_JITTER_MS = 1_500;

  /** The cron alarm fires at every tenth second of the minute. */
  private static final String CRON = "*/10 * * * * *";

  private static final long CRON_PERIOD_MS = 10_000;

  /** How late after its scheduled second a cron fire's record may start (loaded machine). */
  private static final long CRON_LATENESS_MS = 4_000;

  @TempDir Path dir;

  private ServerConfig config() {
    return ServerConfig.DEFAULT
        .withApi(ServerConfig.DEFAULT.api().withPort(0).withExecutor("none").withDrainSeconds(0))
        .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
        .withAlarms(new AlarmsConfig(null, MIN_INTERVAL_SECONDS));
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

  private static void assertOneIntervalApart(long first, long second) {
    assertThat(second - first)
        .as("consecutive interval fires")
        .isBetween(INTERVAL_MS - FIRE_JITTER_MS, INTERVAL_MS + FIRE_JITTER_MS);
  }

  private static void assertAtCronSecond(long start) {
    assertThat(start % CRON_PERIOD_MS)
        .as("fired at a tenth second (%d)", start)
        .isLessThan(CRON_LATENESS_MS);
  }

  @Test
  void aCronAndAnIntervalFireOnScheduleAndAgainAfterARestart() throws Exception {
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
      makeTriggerWithRule(alice, "tenths");
      makeTriggerWithRule(alice, "ticks");
      makeTriggerWithRule(alice, "minutes");
      long created = System.currentTimeMillis();
      // the catalog's usual form: a five-field cron, once a minute at second 0
      assertThat(
              feed(
                      alice,
                      "alarm",
                      "CREATE",
                      "{\"triggerName\":\"/_/minutes\",\"cron\":\"* * * * *\"}")
                  .status())
          .isEqualTo(200);
      assertThat(
              feed(
                      alice,
                      "alarm",
                      "CREATE",
                      "{\"triggerName\":\"/_/tenths\",\"cron\":\""
                          + CRON
                          + "\","
                          + "\"trigger_payload\":{\"kind\":\"cron\"}}")
                  .status())
          .isEqualTo(200);
      assertThat(
              feed(
                      alice,
                      "interval",
                      "CREATE",
                      "{\"triggerName\":\"/_/ticks\",\"seconds\":" + MIN_INTERVAL_SECONDS + "}")
                  .status())
          .isEqualTo(200);

      // the interval fires every four seconds from its creation; the cron at each tenth second
      List<Long> interval =
          await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(250))
              .until(() -> fires(alice, "ticks"), f -> f.size() >= 2);
      assertThat(interval.get(0) - created)
          .isBetween(INTERVAL_MS - FIRE_JITTER_MS, 2 * INTERVAL_MS + FIRE_JITTER_MS);
      assertOneIntervalApart(interval.get(0), interval.get(1));
      List<Long> cron =
          await()
              .atMost(Duration.ofSeconds(40))
              .pollInterval(Duration.ofMillis(250))
              .until(() -> fires(alice, "tenths"), f -> f.size() >= 2);
      assertAtCronSecond(cron.get(0));
      assertAtCronSecond(cron.get(1));
      assertThat(cron.get(1) - cron.get(0))
          .as("consecutive cron fires")
          .isBetween(CRON_PERIOD_MS - CRON_LATENESS_MS, CRON_PERIOD_MS + CRON_LATENESS_MS);
      // the one-minute cron fired at a minute's second 0 (waits at most the rest of the minute)
      List<Long> minutes =
          await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(500))
              .until(() -> fires(alice, "minutes"), f -> !f.isEmpty());
      assertThat(minutes.get(0) % 60_000)
          .as("fired at second 0 of a minute (%d)", minutes.get(0))
          .isLessThan(CRON_LATENESS_MS);
      assertThat(alice.delete("/api/v1/namespaces/_/triggers/minutes").status()).isEqualTo(200);
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
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(250))
              .until(
                  () -> fires(alice, "ticks"),
                  f -> f.stream().filter(t -> t > startedAt).count() >= 2);
      List<Long> after = interval.stream().filter(t -> t > startedAt).toList();
      assertOneIntervalApart(after.get(0), after.get(1));
      List<Long> cron =
          await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(250))
              .until(() -> fires(alice, "tenths"), f -> f.stream().anyMatch(t -> t > restartedAt));
      long firstAfter = cron.stream().filter(t -> t > restartedAt).findFirst().orElseThrow();
      assertAtCronSecond(firstAfter);
      // the last fire is kept with the alarm
      JsonNode read =
          feed(alice, "interval", "READ", "{\"triggerName\":\"/_/ticks\"}")
              .body()
              .path("response")
              .path("result");
      assertThat(read.path("status").path("lastFire").asLong()).isGreaterThan(startedAt);
      assertThat(read.path("config").path("seconds").asInt()).isEqualTo(MIN_INTERVAL_SECONDS);

      // DELETE stops the interval: no fire in the next two intervals
      assertThat(feed(alice, "interval", "DELETE", "{\"triggerName\":\"/_/ticks\"}").status())
          .isEqualTo(200);
      int stopped = fires(alice, "ticks").size();
      await()
          .during(Duration.ofMillis(2 * INTERVAL_MS))
          .atMost(Duration.ofMillis(2 * INTERVAL_MS + 5_000))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> fires(alice, "ticks").size() == stopped);
      // deleting the trigger deletes its alarm
      assertThat(alice.delete("/api/v1/namespaces/_/triggers/tenths").status()).isEqualTo(200);
      assertThat(again.alarms().count()).isZero();
    }
  }
}

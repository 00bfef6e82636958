package io.hpcwhisk.balancer.feeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.SemVer;
import io.hpcwhisk.balancer.entity.Trigger;
import io.hpcwhisk.balancer.store.MvAlarmStore;
import io.hpcwhisk.balancer.store.MvEntityStore;
import io.hpcwhisk.balancer.store.MvStoreDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a start rebuilds the schedule from the store: fires missed while the server was down are
 * skipped as the catalog's alarms skip them (no burst of catch-up fires), an expired {@code once}
 * becomes inactive with the catalog's reason, a paused alarm stays unscheduled.
 */
class AlarmServiceTest {

  @TempDir Path dir;
  private MvStoreDatabase db;
  private MvAlarmStore store;
  private MvEntityStore entities;
  private AlarmService service;

  @BeforeEach
  void open() {
    db = MvStoreDatabase.open(dir);
    store = MvAlarmStore.open(db);
    entities = db.entities();
    for (String t : List.of("t1", "t2", "t3", "t4")) {
      entities.put(
          EntityPath.of("alice", t),
          new Trigger("alice", t, SemVer.INITIAL, false, List.of(), List.of(), 0));
    }
  }

  @AfterEach
  void close() {
    if (service != null) {
      service.close();
    }
    db.close();
  }

  private static Alarm alarm(
      Alarm.Kind kind,
      String trigger,
      String cron,
      Long interval,
      Long date,
      Long start,
      boolean active,
      long created) {
    return new Alarm(
        kind,
        "alice",
        trigger,
        cron,
        null,
        interval,
        date,
        "false",
        start,
        null,
        null,
        active,
        active ? null : "paused",
        created,
        null,
        created);
  }

  @Test
  void missedFiresAreSkippedAtStart() {
    long now = System.currentTimeMillis();
    // down for a while: the interval (anchored 95 s ago, every 60 s) missed its fire at +60 s
    store.put(
        "alice/t1",
        alarm(Alarm.Kind.INTERVAL, "t1", null, 60L, null, now - 95_000, true, now - 200_000)
            .toJson());
    store.put(
        "alice/t2",
        alarm(Alarm.Kind.ONCE, "t2", null, null, now - 5_000, null, true, now - 60_000).toJson());
    store.put(
        "alice/t3",
        alarm(Alarm.Kind.ALARM, "t3", "* * * * *", null, null, null, true, now - 600_000).toJson());
    store.put(
        "alice/t4",
        alarm(Alarm.Kind.ALARM, "t4", "* * * * *", null, null, null, false, now - 600_000)
            .toJson());
    service =
        new AlarmService(
            store, entities, ns -> Optional.empty(), AlarmSettings.DEFAULT, InstantSource.system());
    service.start(null);

    assertThat(service.nextFire("alice/t1")).contains(now - 95_000 + 120_000);
    assertThat(service.nextFire("alice/t2")).isEmpty();
    ObjectNode once = Alarm.fromJson(store.get("alice/t2").orElseThrow()).describe();
    assertThat(once.path("status").path("active").asBoolean()).isFalse();
    assertThat(once.path("status").path("reason").path("message").asText())
        .isEqualTo("the fire once date has expired");
    long nextMinute = (System.currentTimeMillis() / 60_000 + 1) * 60_000;
    assertThat(service.nextFire("alice/t3").orElseThrow())
        .isBetween(nextMinute - 60_000, nextMinute);
    assertThat(service.nextFire("alice/t4")).as("paused").isEmpty();
  }

  @Test
  void unixCronIsReadAsUnixCronIs() {
    long jan = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli(); // a Tuesday
    // day-of-week 1 is Monday in cron (Quartz's 1 is Sunday)
    assertThat(
            AlarmParams.quartz("0 9 * * 1", null).getNextValidTimeAfter(new Date(jan)).toInstant())
        .isEqualTo(Instant.parse("2030-01-07T09:00:00Z"));
    assertThat(
            AlarmParams.quartz("0 9 * * 0", null).getNextValidTimeAfter(new Date(jan)).toInstant())
        .isEqualTo(Instant.parse("2030-01-06T09:00:00Z"));
    assertThat(
            AlarmParams.quartz("0 9 * * 7", null).getNextValidTimeAfter(new Date(jan)).toInstant())
        .isEqualTo(Instant.parse("2030-01-06T09:00:00Z"));
    assertThat(
            AlarmParams.quartz("30 8 15 * *", "Europe/Warsaw")
                .getNextValidTimeAfter(new Date(jan))
                .toInstant())
        .isEqualTo(Instant.parse("2030-01-15T07:30:00Z"));
    // five fields fire at second 0 of each minute (AlarmsScheduleIT runs a six-field cron)
    long midMinute = Instant.parse("2030-01-01T12:34:56.789Z").toEpochMilli();
    Date next = AlarmParams.quartz("* * * * *", null).getNextValidTimeAfter(new Date(midMinute));
    assertThat(next.toInstant()).isEqualTo(Instant.parse("2030-01-01T12:35:00Z"));
    assertThat(AlarmParams.quartz("* * * * *", null).getNextValidTimeAfter(next).toInstant())
        .isEqualTo(Instant.parse("2030-01-01T12:36:00Z"));
    for (String bad :
        List.of(
            "99 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 8",
            "*/0 * * * *",
            "60 * * * * *")) {
      assertThatThrownBy(() -> AlarmParams.quartz(bad, null))
          .as(bad)
          .hasMessageContaining("cron pattern '" + bad + "' is not valid");
    }
    assertThatThrownBy(() -> AlarmParams.quartz("0 9 1 * 1", null))
        .hasMessageContaining("restricts both day-of-month and day-of-week");
  }

  @Test
  void theStoredFormRoundTrips() {
    ObjectNode payload = Json.MAPPER.createObjectNode().put("a", 1);
    Alarm a =
        new Alarm(
            Alarm.Kind.ALARM,
            "alice",
            "t1",
            "*/5 * * * *",
            "UTC",
            null,
            null,
            null,
            1L,
            2L,
            payload,
            true,
            null,
            3L,
            4L,
            5L);
    assertThat(Alarm.fromJson(a.toJson())).isEqualTo(a);
  }
}

package io.hpcwhisk.balancer.feeds;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Json;
import java.time.Instant;
import java.util.Objects;

/**
 * One alarm as stored ({@link io.hpcwhisk.balancer.store.AlarmStore}, as JSON): what the feed was
 * given and its state. Times are epoch milliseconds (UTC).
 *
 * @param kind which feed made it
 * @param namespace the trigger's namespace (the caller's)
 * @param trigger the trigger's name
 * @param cron for {@code alarm}: the pattern as given (5 fields, or 6 with seconds first)
 * @param timezone for {@code alarm}: the zone the cron is read in, or null for UTC
 * @param intervalSeconds for {@code interval}: the time between fires
 * @param date for {@code once}: when it fires
 * @param deleteAfterFire for {@code once}: {@code false}, {@code true} (delete the trigger) or
 *     {@code rules} (the trigger and its rules)
 * @param startDate no fire before it (null: none); for {@code interval} the fires fall on {@code
 *     startDate + k * interval}, k ≥ 1
 * @param stopDate no fire after it, or null
 * @param payload the {@code trigger_payload} each fire carries
 * @param active false when paused, expired or done
 * @param reason why it is not active, or null
 * @param dateChanged when {@code active} last changed
 * @param lastFire when it last fired, or null
 * @param created when it was created
 */
public record Alarm(
    Kind kind,
    String namespace,
    String trigger,
    String cron,
    String timezone,
    Long intervalSeconds,
    Long date,
    String deleteAfterFire,
    Long startDate,
    Long stopDate,
    ObjectNode payload,
    boolean active,
    String reason,
    long dateChanged,
    Long lastFire,
    long created) {

  /** The three feeds of {@code /whisk.system/alarms}. */
  public enum Kind {
    ALARM("alarm"),
    ONCE("once"),
    INTERVAL("interval");

    private final String feed;

    Kind(String feed) {
      this.feed = feed;
    }

    /** The feed action's name. */
    public String feed() {
      return feed;
    }

    /** The kind whose feed action is {@code name}, or null. */
    public static Kind ofFeed(String name) {
      for (Kind k : values()) {
        if (k.feed.equals(name)) {
          return k;
        }
      }
      return null;
    }
  }

  public Alarm {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(trigger, "trigger");
    payload = payload == null ? Json.MAPPER.createObjectNode() : payload;
  }

  /** {@code ns/trigger}: the key of the store and of the Quartz job. */
  public String key() {
    return namespace + "/" + trigger;
  }

  /** {@code /ns/trigger}. */
  public String triggerName() {
    return "/" + key();
  }

  public Alarm withState(boolean newActive, String newReason, long now) {
    return new Alarm(
        kind,
        namespace,
        trigger,
        cron,
        timezone,
        intervalSeconds,
        date,
        deleteAfterFire,
        startDate,
        stopDate,
        payload,
        newActive,
        newReason,
        now,
        lastFire,
        created);
  }

  public Alarm withLastFire(long at) {
    return new Alarm(
        kind,
        namespace,
        trigger,
        cron,
        timezone,
        intervalSeconds,
        date,
        deleteAfterFire,
        startDate,
        stopDate,
        payload,
        active,
        reason,
        dateChanged,
        at,
        created);
  }

  String toJson() {
    return Json.write(this);
  }

  static Alarm fromJson(String json) {
    return Json.read(json, Alarm.class);
  }

  /**
   * What the feed answers to READ, shaped as the catalog's: {@code config} (name, namespace,
   * payload, cron/minutes/date, startDate, stopDate, deleteAfterFire) and {@code status} (active,
   * dateChanged, dateChangedISO, reason), plus {@code lastFire}/{@code lastFireISO}.
   */
  ObjectNode describe() {
    ObjectNode out = Json.MAPPER.createObjectNode();
    ObjectNode config = out.putObject("config");
    config.put("name", trigger).put("namespace", namespace).set("payload", payload.deepCopy());
    switch (kind) {
      case ALARM -> {
        config.put("cron", cron);
        if (timezone != null) {
          config.put("timezone", timezone);
        }
      }
      case INTERVAL -> {
        if (intervalSeconds % 60 == 0) {
          config.put("minutes", intervalSeconds / 60);
        } else {
          config.put("seconds", intervalSeconds);
        }
      }
      case ONCE -> {
        config.put("date", iso(date));
        config.put("deleteAfterFire", deleteAfterFire);
      }
      default -> throw new IllegalStateException("unknown alarm kind " + kind);
    }
    if (kind != Kind.ONCE) {
      if (startDate != null) {
        config.put("startDate", iso(startDate));
      }
      if (stopDate != null) {
        config.put("stopDate", iso(stopDate));
      }
    }
    ObjectNode status = out.putObject("status");
    status.put("active", active).put("dateChanged", dateChanged);
    status.put("dateChangedISO", iso(dateChanged));
    if (reason != null) {
      status.putObject("reason").put("kind", "USER").put("message", reason);
    }
    if (lastFire != null) {
      status.put("lastFire", lastFire).put("lastFireISO", iso(lastFire));
    }
    return out;
  }

  static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }
}

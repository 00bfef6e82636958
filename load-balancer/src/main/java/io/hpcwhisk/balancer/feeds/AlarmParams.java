package io.hpcwhisk.balancer.feeds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Json;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * Reads and checks the parameters of the alarm feeds, with the catalog's error messages where it
 * has one ({@code cron pattern '…' is not valid}, {@code the minutes parameter must be an integer
 * greater than zero}, {@code startDate parameter '…' must be in the future}, …) and HPC-Whisk's own
 * for its limits (the least interval between fires, the cron forms Quartz cannot run).
 */
final class AlarmParams {

  static final List<String> DELETE_AFTER_FIRE = List.of("false", "true", "rules");
  private static final Pattern DOW_NUMBER = Pattern.compile("(?<![/\\d#])(\\d+)");
  private static final String DATE_FORM =
      "expected an ISO 8601 date-time such as 2030-01-31T08:00:00Z, a date such as 2030-01-31"
          + " (midnight UTC) or epoch milliseconds";

  private AlarmParams() {}

  /** A new alarm of {@code kind} for {@code /ns/trigger} from the CREATE parameters. */
  static Alarm create(
      Alarm.Kind kind,
      String namespace,
      String trigger,
      ObjectNode p,
      AlarmSettings settings,
      long now) {
    ObjectNode payload = payload(p.get("trigger_payload"));
    String cron = null;
    String timezone = null;
    Long interval = null;
    Long date = null;
    String deleteAfterFire = null;
    Long startDate = null;
    Long stopDate = null;
    switch (kind) {
      case ONCE -> {
        if (absent(p, "date")) {
          throw new FeedError("alarms once trigger feed is missing the date parameter");
        }
        date = futureDate(p.get("date"), "date", null, now);
        deleteAfterFire = deleteAfterFire(p.get("deleteAfterFire"), "false");
      }
      case INTERVAL -> {
        interval = interval(p, settings, true);
      }
      case ALARM -> {
        if (absent(p, "cron")) {
          throw new FeedError(
              "alarms trigger feed is missing the cron parameter (expected a cron pattern of 5"
                  + " fields: minute hour day-of-month month day-of-week, e.g. '*/5 * * * *')");
        }
        cron = text(p.get("cron"));
        timezone = absent(p, "timezone") ? null : timezone(p.get("timezone"));
      }
      default -> throw new IllegalStateException("unknown alarm kind " + kind);
    }
    if (kind != Alarm.Kind.ONCE) {
      if (!absent(p, "startDate")) {
        startDate = futureDate(p.get("startDate"), "startDate", null, now);
      }
      if (!absent(p, "stopDate")) {
        stopDate = futureDate(p.get("stopDate"), "stopDate", startDate, now);
      }
    }
    if (cron != null) {
      checkCron(cron, timezone, stopDate, settings, now);
    }
    return new Alarm(
        kind,
        namespace,
        trigger,
        cron,
        timezone,
        interval,
        date,
        deleteAfterFire,
        startDate,
        stopDate,
        payload,
        true,
        null,
        now,
        null,
        now);
  }

  /** {@code old} with the updatable parameters of UPDATE applied. */
  static Alarm update(Alarm old, ObjectNode p, AlarmSettings settings, long now) {
    boolean changed = false;
    ObjectNode payload = old.payload();
    if (!absent(p, "trigger_payload")) {
      payload = payload(p.get("trigger_payload"));
      changed = true;
    }
    String cron = old.cron();
    String timezone = old.timezone();
    Long interval = old.intervalSeconds();
    Long date = old.date();
    String deleteAfterFire = old.deleteAfterFire();
    Long startDate = old.startDate();
    Long stopDate = old.stopDate();
    if (old.kind() == Alarm.Kind.ONCE) {
      if (!absent(p, "date")) {
        date = futureDate(p.get("date"), "date", null, now);
        changed = true;
      }
      if (!absent(p, "deleteAfterFire")) {
        deleteAfterFire = deleteAfterFire(p.get("deleteAfterFire"), "false");
        changed = true;
      }
    } else {
      if (old.kind() == Alarm.Kind.INTERVAL) {
        if (!absent(p, "minutes") || !absent(p, "seconds")) {
          interval = interval(p, settings, false);
          changed = true;
        }
      } else {
        if (!absent(p, "cron")) {
          cron = text(p.get("cron"));
          changed = true;
        }
        if (!absent(p, "timezone")) {
          timezone = timezone(p.get("timezone"));
          changed = true;
        }
      }
      if (!absent(p, "startDate")) {
        startDate = futureDate(p.get("startDate"), "startDate", null, now);
        changed = true;
      }
      if (!absent(p, "stopDate")) {
        stopDate = futureDate(p.get("stopDate"), "stopDate", startDate, now);
        changed = true;
      } else if (startDate != null && stopDate != null && startDate >= stopDate) {
        throw new FeedError(
            "startDate parameter '"
                + Alarm.iso(startDate)
                + "' must be less than the stopDate parameter '"
                + Alarm.iso(stopDate)
                + "'");
      }
      if (cron != null) {
        checkCron(cron, timezone, stopDate, settings, now);
      }
    }
    if (!changed) {
      throw new FeedError(
          "no updatable parameters were specified (expected one of trigger_payload, "
              + switch (old.kind()) {
                case ONCE -> "date, deleteAfterFire";
                case INTERVAL -> "minutes, startDate, stopDate";
                case ALARM -> "cron, timezone, startDate, stopDate";
              }
              + ")");
    }
    return new Alarm(
        old.kind(),
        old.namespace(),
        old.trigger(),
        cron,
        timezone,
        interval,
        date,
        deleteAfterFire,
        startDate,
        stopDate,
        payload,
        old.active(),
        old.reason(),
        old.dateChanged(),
        old.lastFire(),
        old.created());
  }

  /** The interval in seconds from {@code minutes} (the catalog's) or {@code seconds}. */
  private static long interval(ObjectNode p, AlarmSettings settings, boolean required) {
    boolean minutes = !absent(p, "minutes");
    boolean seconds = !absent(p, "seconds");
    if (minutes && seconds) {
      throw new FeedError("give either the minutes or the seconds parameter, not both");
    }
    if (!minutes && !seconds) {
      throw new FeedError(
          "interval trigger feed is missing the minutes parameter (expected an integer greater"
              + " than zero)");
    }
    String name = minutes ? "minutes" : "seconds";
    long value = positiveInteger(p.get(name), name);
    long total = minutes ? value * 60 : value;
    if (minutes && value > 525_600L * 10) {
      throw new FeedError("the minutes parameter must be at most 5256000 (ten years)");
    }
    if (total < settings.minIntervalSeconds()) {
      throw new FeedError(
          "the "
              + name
              + " parameter "
              + value
              + " makes an interval of "
              + total
              + " s; alarms fire at most once every "
              + settings.minIntervalSeconds()
              + " s on this server (alarms.min-interval-seconds)");
    }
    return total;
  }

  private static long positiveInteger(JsonNode v, String name) {
    long value;
    if (v.isIntegralNumber()) {
      value = v.asLong();
    } else if (v.isTextual() && v.asText().strip().matches("-?\\d{1,12}")) {
      value = Long.parseLong(v.asText().strip());
    } else {
      throw new FeedError(
          "the " + name + " parameter must be an integer (got " + Json.write(v) + ")");
    }
    if (value <= 0) {
      throw new FeedError("the " + name + " parameter must be an integer greater than zero");
    }
    return value;
  }

  private static String deleteAfterFire(JsonNode v, String dflt) {
    if (v == null || v.isNull()) {
      return dflt;
    }
    String s = v.asText().strip().toLowerCase(Locale.ROOT);
    if (!DELETE_AFTER_FIRE.contains(s)) {
      throw new FeedError("deleteAfterFire parameter must be one of [false, true, rules].");
    }
    return s;
  }

  private static ObjectNode payload(JsonNode v) {
    if (v == null || v.isNull()) {
      return Json.MAPPER.createObjectNode();
    }
    if (v.isObject()) {
      return (ObjectNode) v.deepCopy();
    }
    if (v.isTextual()) {
      ObjectNode o = Json.MAPPER.createObjectNode();
      o.put("payload", v.asText());
      return o;
    }
    throw new FeedError(
        "the trigger_payload parameter must be a JSON object or a string (got "
            + v.getNodeType().name().toLowerCase(Locale.ROOT)
            + ")");
  }

  private static String timezone(JsonNode v) {
    String s = text(v);
    try {
      return ZoneId.of(s).getId();
    } catch (DateTimeException e) {
      throw new FeedError(
          "timezone parameter '"
              + s
              + "' is not a valid time zone (expected an IANA zone such as Europe/Warsaw, or UTC)");
    }
  }

  private static boolean absent(ObjectNode p, String name) {
    JsonNode v = p.get(name);
    return v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty());
  }

  private static String text(JsonNode v) {
    return v.isTextual() ? v.asText() : Json.write(v);
  }

  /** The date in epoch ms; it must be in the future and, with {@code after}, later than it. */
  private static long futureDate(JsonNode v, String name, Long after, long now) {
    String shown = text(v);
    long at;
    if (v.isIntegralNumber()) {
      at = v.asLong();
    } else {
      at = parseDate(v.asText().strip(), name, shown);
    }
    if (at <= now) {
      throw new FeedError(name + " parameter '" + shown + "' must be in the future");
    }
    if (after != null && at <= after) {
      throw new FeedError(
          name
              + " parameter '"
              + shown
              + "' must be greater than the startDate parameter '"
              + Alarm.iso(after)
              + "'");
    }
    return at;
  }

  private static long parseDate(String s, String name, String shown) {
    try {
      if (s.matches("\\d{1,15}")) {
        return Long.parseLong(s);
      }
      if (s.length() == 10) {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      try {
        return OffsetDateTime.parse(s).toInstant().toEpochMilli();
      } catch (DateTimeException e) {
        try {
          return Instant.parse(s).toEpochMilli();
        } catch (DateTimeException e2) {
          return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
        }
      }
    } catch (DateTimeException | ArithmeticException e) {
      throw new FeedError(name + " parameter '" + shown + "' is not a valid Date; " + DATE_FORM);
    }
  }

  /** Checks a cron pattern: valid, runnable by Quartz, not firing more often than allowed. */
  static void checkCron(
      String cron, String timezone, Long stopDate, AlarmSettings settings, long now) {
    CronExpression q = quartz(cron, timezone);
    Date next = q.getNextValidTimeAfter(new Date(now));
    if (next == null) {
      throw new FeedError("cron pattern '" + cron + "' never fires");
    }
    long least = Long.MAX_VALUE;
    Date t = next;
    for (int i = 0; i < 120 && t != null; i++) {
      Date u = q.getNextValidTimeAfter(t);
      if (u != null) {
        least = Math.min(least, u.getTime() - t.getTime());
      }
      t = u;
    }
    if (least < settings.minIntervalSeconds() * 1000L) {
      throw new FeedError(
          "cron pattern '"
              + cron
              + "' fires every "
              + Math.max(1, least / 1000)
              + " s; alarms fire at most once every "
              + settings.minIntervalSeconds()
              + " s on this server (alarms.min-interval-seconds): use 5 fields (minute hour"
              + " day-of-month month day-of-week), whose finest granularity is 1 minute");
    }
    if (stopDate != null && next.getTime() > stopDate) {
      throw new FeedError("the first scheduled trigger fire is not until after the stop date");
    }
  }

  /**
   * The Quartz expression for a cron pattern of 5 fields (minute hour day-of-month month
   * day-of-week, day-of-week 0-7 with 0 and 7 Sunday) or 6 (seconds first), in {@code timezone}
   * (null: UTC).
   */
  static CronExpression quartz(String cron, String timezone) {
    String[] f = cron.strip().split("\\s+");
    if (f.length != 5 && f.length != 6) {
      throw new FeedError(
          "cron pattern '"
              + cron
              + "' is not valid (expected 5 fields: minute hour day-of-month month day-of-week,"
              + " e.g. '*/5 * * * *')");
    }
    int o = f.length - 5;
    if (o == 1) {
      checkRange(f[0], 0, 59, cron);
    }
    checkRange(f[o], 0, 59, cron);
    checkRange(f[o + 1], 0, 23, cron);
    checkRange(f[o + 2], 1, 31, cron);
    checkRange(f[o + 3], 1, 12, cron);
    checkRange(f[o + 4], 0, 7, cron);
    String sec = o == 1 ? f[0] : "0";
    String min = f[o];
    String hour = f[o + 1];
    String dom = f[o + 2];
    String mon = f[o + 3];
    String dow = f[o + 4];
    boolean anyDom = dom.equals("*") || dom.equals("?");
    boolean anyDow = dow.equals("*") || dow.equals("?");
    if (anyDow) {
      dow = "?";
      dom = anyDom ? "*" : dom;
    } else if (anyDom) {
      dom = "?";
      dow = quartzDaysOfWeek(dow, cron);
    } else {
      throw new FeedError(
          "cron pattern '"
              + cron
              + "' restricts both day-of-month and day-of-week, which HPC-Whisk does not run;"
              + " set one of them to *");
    }
    String expr = String.join(" ", sec, min, hour, dom, mon, dow);
    try {
      CronExpression q = new CronExpression(expr);
      q.setTimeZone(TimeZone.getTimeZone(timezone == null ? ZoneOffset.UTC : ZoneId.of(timezone)));
      return q;
    } catch (ParseException | RuntimeException e) {
      throw new FeedError(invalid(cron));
    }
  }

  private static final Pattern NUMBER = Pattern.compile("(/?)(\\d+)");

  /** Every number of a field (values and range ends in {@code lo..hi}, steps at least 1). */
  private static void checkRange(String field, int lo, int hi, String cron) {
    Matcher m = NUMBER.matcher(field);
    while (m.find()) {
      long n = m.group(2).length() > 6 ? Long.MAX_VALUE : Long.parseLong(m.group(2));
      boolean step = !m.group(1).isEmpty();
      if (step ? n < 1 || n > hi + 1 : n < lo || n > hi) {
        throw new FeedError(invalid(cron));
      }
    }
  }

  private static String invalid(String cron) {
    return "cron pattern '"
        + cron
        + "' is not valid (expected 5 fields: minute 0-59, hour 0-23, day-of-month 1-31,"
        + " month 1-12 or JAN-DEC, day-of-week 0-7 or SUN-SAT; each *, a value, a range a-b,"
        + " a list a,b or a step */n)";
  }

  /** Unix day-of-week numbers (0-7, Sunday 0 and 7) as Quartz's (1-7, Sunday 1). */
  private static String quartzDaysOfWeek(String dow, String cron) {
    Matcher m = DOW_NUMBER.matcher(dow);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int n = Integer.parseInt(m.group(1));
      if (n > 7) {
        throw new FeedError(
            "cron pattern '" + cron + "' is not valid (day-of-week must be 0-7 or SUN-SAT)");
      }
      m.appendReplacement(out, Integer.toString(n % 7 + 1));
    }
    m.appendTail(out);
    return out.toString();
  }
}

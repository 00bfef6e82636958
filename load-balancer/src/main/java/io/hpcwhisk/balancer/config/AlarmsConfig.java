package io.hpcwhisk.balancer.config;

import io.hpcwhisk.configuration.Check;
import io.hpcwhisk.configuration.Copyable;

/**
 * The {@code alarms:} section: the {@code /whisk.system/alarms} feeds run by the server.
 *
 * @param maxPerNamespace alarms one namespace may have at once; the next CREATE is refused with the
 *     reason; default 1000
 * @param minIntervalSeconds the shortest time between two fires of one alarm (cron or interval); a
 *     shorter schedule is refused at CREATE/UPDATE; default 60 (the catalog's one-minute cron
 *     granularity)
 */
public record AlarmsConfig(Integer maxPerNamespace, Integer minIntervalSeconds)
    implements Copyable<AlarmsConfig> {
  public static final AlarmsConfig DEFAULT = new AlarmsConfig(null, null);

  public AlarmsConfig {
    maxPerNamespace =
        Check.range("alarms.max-per-namespace", maxPerNamespace, 1000, 0, Integer.MAX_VALUE);
    minIntervalSeconds =
        Check.range("alarms.min-interval-seconds", minIntervalSeconds, 60, 1, 86_400);
  }
}

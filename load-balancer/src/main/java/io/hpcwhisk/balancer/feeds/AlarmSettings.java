package io.hpcwhisk.balancer.feeds;

/**
 * The limits of the alarm feeds ({@code alarms.max-per-namespace}, {@code
 * alarms.min-interval-seconds}).
 *
 * @param maxPerNamespace alarms one namespace may have at once
 * @param minIntervalSeconds the shortest time between two fires of one alarm
 */
public record AlarmSettings(int maxPerNamespace, int minIntervalSeconds) {

  public static final AlarmSettings DEFAULT = new AlarmSettings(1000, 60);

  public AlarmSettings {
    if (maxPerNamespace < 0 || minIntervalSeconds < 1) {
      throw new IllegalArgumentException(
          "maxPerNamespace must be >= 0 and minIntervalSeconds >= 1");
    }
  }
}

package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.time.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The shape of one pilot job: where it goes, how long it may run, how eagerly the scheduler should
 * start it.
 *
 * @param partition the preemptible partition
 * @param qos the QOS, when the site uses one for pilots
 * @param time the time limit ({@code --time})
 * @param timeMin the minimum time limit the backfill scheduler may shrink it to ({@code
 *     --time-min}), if any
 * @param nice the nice value, 0 or more: higher starts later among pilots
 * @param targetNode the node it must run on ({@code --nodelist}), if targeted
 */
public record PilotShape(
    String partition,
    Optional<String> qos,
    Duration time,
    Optional<Duration> timeMin,
    int nice,
    Optional<String> targetNode) {

  public PilotShape {
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(qos, "qos");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(timeMin, "timeMin");
    Objects.requireNonNull(targetNode, "targetNode");
    if (partition.isBlank()) {
      throw new IllegalArgumentException("pilot partition is blank");
    }
    if (time.isNegative() || time.isZero()) {
      throw new IllegalArgumentException("pilot time must be positive, got " + time);
    }
    if (timeMin.isPresent()
        && (timeMin.get().isNegative()
            || timeMin.get().isZero()
            || timeMin.get().compareTo(time) > 0)) {
      throw new IllegalArgumentException(
          "pilot time-min must be in (0, " + time + "], got " + timeMin.get());
    }
    if (nice < 0) {
      throw new IllegalArgumentException("pilot nice must be 0 or more, got " + nice);
    }
  }

  /** The shortest run the scheduler may give it: {@code timeMin} when set, else {@code time}. */
  public Duration shortest() {
    return timeMin.orElse(time);
  }

  public boolean targeted() {
    return targetNode.isPresent();
  }

  @Override
  public String toString() {
    return partition
        + qos.map(q -> "/" + q).orElse("")
        + " "
        + Durations.format(time)
        + timeMin.map(m -> " (min " + Durations.format(m) + ")").orElse("")
        + " nice "
        + nice
        + targetNode.map(n -> " on " + n).orElse("");
  }
}

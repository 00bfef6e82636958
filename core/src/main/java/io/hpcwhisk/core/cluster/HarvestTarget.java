package io.hpcwhisk.core.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * Where pilots may go: the preemptible partition (and QOS, when the site uses one) the
 * administrator configured. Every pilot shape a policy produces carries exactly these.
 */
public record HarvestTarget(String partition, Optional<String> qos) {

  public HarvestTarget {
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(qos, "qos");
    if (partition.isBlank()) {
      throw new IllegalArgumentException("harvest partition is blank");
    }
    if (qos.isPresent() && qos.get().isBlank()) {
      throw new IllegalArgumentException("harvest QOS is blank; leave it out instead");
    }
  }

  public static HarvestTarget partition(String partition) {
    return new HarvestTarget(partition, Optional.empty());
  }
}

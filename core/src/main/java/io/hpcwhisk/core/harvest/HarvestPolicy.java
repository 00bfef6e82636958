package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import java.time.Duration;
import java.util.List;

/**
 * Decides which pilots to submit and cancel. A policy reads only its inputs (no clock, no
 * randomness of its own); a policy that learns keeps state that depends only on the sequence of
 * inputs it was given, so the same sequence always gives the same intents.
 */
public interface HarvestPolicy {

  /** The name it is looked up by in {@link HarvestPolicies}. */
  String name();

  /**
   * The intents for this snapshot and fleet. Every submitted shape uses the snapshot's harvest
   * partition and QOS; every cancelled id is a pending or running pilot of the fleet; pending
   * pilots after the intents are applied never exceed {@link #maxPending()}.
   */
  List<Intent> decide(ClusterSnapshot snapshot, Fleet fleet);

  /** The most pilots this policy keeps pending at once. */
  int maxPending();

  /**
   * The longest pilot this policy may submit: the cap of {@link LongActionDemand}'s pilots; none by
   * default.
   */
  default Duration maxPilot() {
    return Duration.ofDays(3650);
  }
}

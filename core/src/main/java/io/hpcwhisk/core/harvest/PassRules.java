package io.hpcwhisk.core.harvest;

/**
 * The controller's own rules around the policy (see {@link ControllerPass}).
 *
 * @param expeditePreemption cancel a running pilot as soon as Slurm pulls its end in (it is being
 *     preempted with a grace time), so that the batch job need not wait for the grace time to run
 *     out
 * @param maxSubmissions the most submissions carried out in one pass; the policy's further
 *     submissions wait for a later pass (it decides them again from what it then sees)
 */
public record PassRules(boolean expeditePreemption, int maxSubmissions) {

  /** No expedited preemption and no cap on submissions: the policy's intents as they are. */
  public static final PassRules POLICY_ONLY = new PassRules(false, Integer.MAX_VALUE);

  public PassRules {
    if (maxSubmissions < 1) {
      throw new IllegalArgumentException(
          "the most submissions per pass must be at least 1, got " + maxSubmissions);
    }
  }
}

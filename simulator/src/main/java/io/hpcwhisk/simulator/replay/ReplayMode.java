package io.hpcwhisk.simulator.replay;

import io.hpcwhisk.simulator.ladder.Ladder;
import java.util.Map;
import java.util.Objects;

/**
 * How a replay harvests: the paper's clairvoyant ladder packing, or an online policy that cannot
 * see ahead.
 */
public sealed interface ReplayMode {

  /**
   * The paper's clairvoyant packing.
   *
   * @param ladder pilot lengths
   * @param warmupSamples warm-up samples per pilot (the paper: 2)
   * @param samplesPerMinute samples per ladder minute (the paper: 6)
   */
  record Clairvoyant(Ladder ladder, int warmupSamples, int samplesPerMinute) implements ReplayMode {
    public Clairvoyant {
      Objects.requireNonNull(ladder, "ladder");
      if (warmupSamples < 0) {
        throw new IllegalArgumentException("--warmup-samples must be >= 0, got " + warmupSamples);
      }
      if (samplesPerMinute <= 0) {
        throw new IllegalArgumentException(
            "--samples-per-minute must be > 0, got " + samplesPerMinute);
      }
    }
  }

  /**
   * An online replay with a production harvest policy.
   *
   * @param policy the policy's name as the core policy lookup knows it
   * @param policyParams the policy's parameters as text (key → value), defaults for missing keys
   * @param warmupSeconds seconds from a pilot's start to ready
   * @param graceSeconds Slurm GraceTime a preempted pilot gets (the batch job's worst-case delay)
   * @param placement how pending pilots pick among free available nodes
   */
  record Online(
      String policy,
      Map<String, String> policyParams,
      double warmupSeconds,
      double graceSeconds,
      Placement placement)
      implements ReplayMode {
    public Online {
      Objects.requireNonNull(policy, "policy");
      policyParams = Map.copyOf(policyParams);
      Objects.requireNonNull(placement, "placement");
      if (!(warmupSeconds >= 0)) {
        throw new IllegalArgumentException("--warmup-seconds must be >= 0, got " + warmupSeconds);
      }
      if (!(graceSeconds >= 0)) {
        throw new IllegalArgumentException("--grace-seconds must be >= 0, got " + graceSeconds);
      }
    }
  }

  /** Which free available node a starting pilot gets. */
  enum Placement {
    /** The lowest node id first, as Slurm's select/linear does with equal weights. */
    LOWEST_ID,
    /** A uniformly random free node, from the seeded generator. */
    RANDOM
  }
}

package io.hpcwhisk.balancer.pilots;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * Asks the cluster whether a registering pilot is what it says: the Slurm job it names is running,
 * in the harvest partition, as the pilot user, on the node it names. {@link SlurmPilotJobVerifier}
 * asks Slurm; a server without Slurm must choose {@link #unverified(String)} explicitly ({@code
 * balancer.verify-jobs: none}).
 */
public interface PilotJobVerifier {

  /**
   * Empty when job {@code jobId} runs as a pilot on {@code node}; else why not (logged and sent
   * back).
   */
  Optional<String> refusal(String jobId, String node);

  /**
   * Of {@code jobIds}, those the cluster reports ended or no longer knows, and whether each that is
   * still waiting is pending; empty answers when the cluster cannot be asked (then nothing is
   * revoked).
   */
  Optional<JobStates> states(Collection<String> jobIds);

  /** What {@link #states} found. */
  record JobStates(Set<String> ended, Set<String> pending) {
    public JobStates {
      ended = Set.copyOf(ended);
      pending = Set.copyOf(pending);
    }
  }

  /** One line for the start-up log. */
  String description();

  /**
   * Believes every registration with a valid, bound credential: for servers without Slurm (executor
   * tests, benchmarks with pilots outside Slurm). {@code why} is logged at start.
   */
  static PilotJobVerifier unverified(String why) {
    return new PilotJobVerifier() {
      @Override
      public Optional<String> refusal(String jobId, String node) {
        return Optional.empty();
      }

      @Override
      public Optional<JobStates> states(Collection<String> jobIds) {
        return Optional.empty();
      }

      @Override
      public String description() {
        return "pilot jobs NOT verified with Slurm (" + why + ")";
      }
    };
  }
}

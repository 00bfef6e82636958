package io.hpcwhisk.slurm.cli;

import io.hpcwhisk.core.cluster.JobId;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the launcher hands each pilot job besides its shape: variables to export (never a secret:
 * they end up on {@code sbatch}'s command line), and the callbacks that tie a credential to the job
 * {@code sbatch} answered or drop it when the submission failed. The server's implementation writes
 * the credential to a file only its account can read and exports the file's path (see {@code
 * PilotSubmissions} in the balancer).
 */
public interface PilotJobHandOff {

  /**
   * Exports nothing and binds nothing (the sleeping placeholder, benchmarks without a balancer).
   */
  PilotJobHandOff NONE = () -> Prepared.of(Map.of());

  /** Prepares one submission. */
  Prepared prepare();

  /** One submission's hand-off. */
  interface Prepared {
    /** Variables to export into the job: names and values without commas or secrets. */
    Map<String, String> environment();

    /** {@code sbatch} answered {@code id}; the job may run for {@code timeLimit}. */
    void submitted(JobId id, Duration timeLimit);

    /** {@code sbatch} failed: nothing was submitted. */
    void failed();

    /** Just variables, no callbacks. */
    static Prepared of(Map<String, String> environment) {
      Map<String, String> env = Map.copyOf(environment);
      return new Prepared() {
        @Override
        public Map<String, String> environment() {
          return env;
        }

        @Override
        public void submitted(JobId id, Duration timeLimit) {}

        @Override
        public void failed() {}
      };
    }
  }

  /** Exports {@code environment.get()} (asked per submission), binding nothing. */
  static PilotJobHandOff exporting(Supplier<Map<String, String>> environment) {
    return () -> Prepared.of(environment.get());
  }
}

package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.ClusterAccessException;
import io.hpcwhisk.core.cluster.JobId;

/**
 * Command port: submits and cancels pilot jobs. Implementations name the jobs with their pilot
 * prefix so the controller can recognise them again after a restart.
 */
public interface PilotLauncher {

  /**
   * Submits one pilot job of the given shape.
   *
   * @return the id the scheduler gave it
   * @throws ClusterAccessException when the submission failed
   */
  JobId submit(PilotShape shape);

  /**
   * Cancels one pilot job; cancelling a job that already ended is not an error.
   *
   * @throws ClusterAccessException when the cancellation failed
   */
  void cancel(JobId id);
}

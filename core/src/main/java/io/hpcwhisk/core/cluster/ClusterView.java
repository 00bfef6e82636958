package io.hpcwhisk.core.cluster;

/** Read-only port onto a cluster: the Slurm CLI adapter, the simulator model, or a test fake. */
public interface ClusterView {

  /**
   * Observes nodes and jobs now.
   *
   * @throws ClusterAccessException when the cluster cannot be read (the message says what was
   *     attempted)
   */
  ClusterObservation observe();
}

package io.hpcwhisk.balancer.invoke;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.ActionLimits;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import java.util.Objects;

/**
 * One activation of a code action (never a sequence) to run somewhere.
 *
 * @param activationId the activation's id
 * @param namespace the namespace of the subject that invoked (OpenWhisk's {@code __OW_NAMESPACE})
 * @param action the resolved, fully qualified action
 * @param version the action's version, so a runner can keep warm runtimes per version
 * @param exec kind, code, main, image
 * @param limits timeout, memory, logs, concurrency
 * @param params the merged parameters (package, binding, action, then payload)
 * @param apiKey the invoker's {@code uuid:key} when the action asks for it ({@code
 *     provide-api-key}), else null
 * @param deadlineMillis epoch milliseconds by which the run must end
 * @param retrySafe whether the action may run again if a run is lost (annotation {@code
 *     retry-safe}, default true): a dispatcher that loses a started run re-runs it only when this
 *     is true
 * @param gpus the GPUs the action asks for (annotation {@code gpus}); 0 for none
 */
public record RunRequest(
    String activationId,
    String namespace,
    EntityPath action,
    String version,
    Exec exec,
    ActionLimits limits,
    ObjectNode params,
    String apiKey,
    long deadlineMillis,
    boolean retrySafe,
    int gpus) {

  /** A request for an action that asks for no GPU. */
  public RunRequest(
      String activationId,
      String namespace,
      EntityPath action,
      String version,
      Exec exec,
      ActionLimits limits,
      ObjectNode params,
      String apiKey,
      long deadlineMillis,
      boolean retrySafe) {
    this(
        activationId,
        namespace,
        action,
        version,
        exec,
        limits,
        params,
        apiKey,
        deadlineMillis,
        retrySafe,
        0);
  }

  public RunRequest {
    Objects.requireNonNull(activationId, "activationId");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(exec, "exec");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(params, "params");
    if (exec.isSequence()) {
      throw new IllegalArgumentException(
          "a sequence is run by the ActivationService, not dispatched: " + action);
    }
  }
}

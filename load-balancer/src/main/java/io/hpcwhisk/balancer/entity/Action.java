package io.hpcwhisk.balancer.entity;

import java.util.List;

/**
 * An action as OpenWhisk shows it: {@code namespace} is the namespace path ({@code ns} or {@code
 * ns/pkg}), {@code version} a semantic version bumped on every update, {@code updated} the epoch
 * milliseconds of the last write.
 */
public record Action(
    String namespace,
    String name,
    String version,
    Exec exec,
    List<KeyValue> annotations,
    List<KeyValue> parameters,
    ActionLimits limits,
    boolean publish,
    long updated)
    implements WhiskEntity {

  public Action {
    annotations = annotations == null ? List.of() : List.copyOf(annotations);
    parameters = parameters == null ? List.of() : List.copyOf(parameters);
    limits = limits == null ? ActionLimits.DEFAULT : limits;
  }

  public Action withoutCode() {
    return new Action(
        namespace,
        name,
        version,
        exec.withoutCode(),
        annotations,
        parameters,
        limits,
        publish,
        updated);
  }
}

package io.hpcwhisk.balancer.entity;

import java.util.List;

/** A trigger; the rules that name it are looked up when it is read or fired, not stored in it. */
public record Trigger(
    String namespace,
    String name,
    String version,
    boolean publish,
    List<KeyValue> annotations,
    List<KeyValue> parameters,
    long updated)
    implements WhiskEntity {

  public Trigger {
    annotations = annotations == null ? List.of() : List.copyOf(annotations);
    parameters = parameters == null ? List.of() : List.copyOf(parameters);
  }
}

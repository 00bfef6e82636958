package io.hpcwhisk.balancer.entity;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A package, or a binding to another package when {@code binding} names one. OpenWhisk shows {@code
 * "binding": {}} for a plain package; here that is a {@link Binding} with no fields.
 */
public record WhiskPackage(
    String namespace,
    String name,
    String version,
    boolean publish,
    Binding binding,
    List<KeyValue> annotations,
    List<KeyValue> parameters,
    long updated)
    implements WhiskEntity {

  public WhiskPackage {
    binding = binding == null ? Binding.NONE : binding;
    annotations = annotations == null ? List.of() : List.copyOf(annotations);
    parameters = parameters == null ? List.of() : List.copyOf(parameters);
  }

  public boolean isBinding() {
    return binding.namespace() != null;
  }

  /** The package a binding refers to: {@code {"namespace": ..., "name": ...}}, or {@code {}}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Binding(String namespace, String name) {
    public static final Binding NONE = new Binding(null, null);
  }
}

package io.hpcwhisk.balancer.entity;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A terminal activation record in OpenWhisk's shape. {@code namespace} is the namespace of the
 * subject that invoked; {@code name} the action's simple name; the {@code path} annotation holds
 * the fully qualified action. {@code cause} names the sequence or trigger activation that caused
 * this one, when there is one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ActivationRecord(
    String activationId,
    String namespace,
    String name,
    String version,
    String subject,
    long start,
    long end,
    long duration,
    ActivationResponse response,
    List<String> logs,
    List<KeyValue> annotations,
    boolean publish,
    String cause) {

  public ActivationRecord {
    logs = logs == null ? List.of() : List.copyOf(logs);
    annotations = annotations == null ? List.of() : List.copyOf(annotations);
  }
}

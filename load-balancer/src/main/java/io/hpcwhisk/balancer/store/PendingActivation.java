package io.hpcwhisk.balancer.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * An activation the API has accepted and not yet ended: written durably before the client gets an
 * answer, removed when its terminal record is written. After a crash every one left is
 * re-dispatched or ended with a whisk error, never forgotten.
 *
 * @param activationId the id given to the client
 * @param namespace the namespace of the subject that invoked; the record is stored there
 * @param subject the invoking subject
 * @param action the fully qualified action as invoked ({@code /ns/pkg/name})
 * @param payload the invoke payload (parameters from the request only)
 * @param acceptedAt epoch milliseconds when it was accepted
 * @param cause the activation (trigger or sequence) that caused this one, or null
 * @param attempts how many times the server has dispatched it before
 */
public record PendingActivation(
    String activationId,
    String namespace,
    String subject,
    String action,
    ObjectNode payload,
    long acceptedAt,
    String cause,
    int attempts) {

  public PendingActivation {
    Objects.requireNonNull(activationId, "activationId");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(payload, "payload");
  }

  public PendingActivation nextAttempt() {
    return new PendingActivation(
        activationId, namespace, subject, action, payload, acceptedAt, cause, attempts + 1);
  }
}

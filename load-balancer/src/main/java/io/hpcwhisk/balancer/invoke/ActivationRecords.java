package io.hpcwhisk.balancer.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.ActionLimits;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.store.PendingActivation;
import java.util.ArrayList;
import java.util.List;

/**
 * The terminal records {@link ActivationService} writes: one for a run's outcome (with OpenWhisk's
 * annotations path, waitTime, kind, timeout, limits and initTime) and one for an activation ended
 * with a whisk error without running.
 */
final class ActivationRecords {

  private ActivationRecords() {}

  /**
   * The outcome itself, or a developer error when its result breaks the JSON limits the store reads
   * back ({@link Json#violation}): a record that could not be read back would answer 500 forever.
   */
  static RunOutcome withinJsonLimits(RunOutcome o) {
    return Json.violation(o.response().result())
        .map(
            reason ->
                new RunOutcome(
                    ActivationResponse.error(
                        ActivationResponse.DEVELOPER_ERROR,
                        "The action returned a result over the server's JSON limits: "
                            + reason
                            + "."),
                    o.logs(),
                    o.start(),
                    o.end(),
                    o.initTimeMillis()))
        .orElse(o);
  }

  /** The record of a run of {@code action} that ended with {@code o}. */
  static ActivationRecord of(
      String id,
      String namespace,
      String subject,
      ResolvedAction action,
      RunOutcome o,
      String cause,
      long acceptedAt,
      String kind) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    List<KeyValue> annotations = new ArrayList<>(6);
    annotations.add(new KeyValue("path", f.textNode(action.path().path())));
    annotations.add(new KeyValue("waitTime", f.numberNode(Math.max(0, o.start() - acceptedAt))));
    annotations.add(new KeyValue("kind", f.textNode(kind)));
    annotations.add(new KeyValue("timeout", f.booleanNode(isTimeout(o.response()))));
    annotations.add(new KeyValue("limits", limitsNode(action.action().limits())));
    if (o.initTimeMillis() != null) {
      annotations.add(new KeyValue("initTime", f.numberNode(o.initTimeMillis())));
    }
    return new ActivationRecord(
        id,
        namespace,
        action.path().name(),
        action.action().version(),
        subject,
        o.start(),
        o.end(),
        o.end() - o.start(),
        o.response(),
        o.logs(),
        annotations,
        false,
        cause);
  }

  private static ObjectNode limitsNode(ActionLimits l) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("timeout", l.timeout())
        .put("memory", l.memory())
        .put("logs", l.logs())
        .put("concurrency", l.concurrency());
    return n;
  }

  private static boolean isTimeout(ActivationResponse r) {
    JsonNode error = r.result().get("error");
    return r.statusCode() == ActivationResponse.DEVELOPER_ERROR
        && error != null
        && error.asText().startsWith("The action exceeded its time limits");
  }

  /** The record of a pending activation ended with a whisk error {@code reason} at {@code now}. */
  static ActivationRecord ended(PendingActivation p, Action action, String reason, long now) {
    EntityPath path = EntityPath.parse(p.action(), p.namespace());
    List<KeyValue> annotations = List.of(new KeyValue("path", Json.tree(path.path())));
    String kind = action == null ? null : action.exec().kind();
    if (kind != null) {
      annotations = List.of(annotations.get(0), new KeyValue("kind", Json.tree(kind)));
    }
    return new ActivationRecord(
        p.activationId(),
        p.namespace(),
        path.name(),
        action == null ? "0.0.0" : action.version(),
        p.subject(),
        now,
        now,
        0,
        ActivationResponse.whiskError(reason),
        List.of(),
        annotations,
        false,
        p.cause());
  }
}

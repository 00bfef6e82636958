package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.invoke.ActivationIds;
import io.hpcwhisk.balancer.store.ActivationQuery;
import io.hpcwhisk.balancer.store.ActivationStore;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code /namespaces/{ns}/activations}: list (name, since, upto, skip, limit, docs, count), get,
 * result, logs.
 */
final class ActivationsApi implements ApiHandler.Collection {

  private final ActivationStore store;

  ActivationsApi(ActivationStore store) {
    this.store = store;
  }

  @Override
  public Object handle(Call call) {
    call.requireMethod("GET");
    call.requireOwnNamespace();
    if (call.rest.isEmpty()) {
      return list(call);
    }
    if (call.rest.size() > 2) {
      throw new Rejection(404, ApiHandler.NO_ROUTE);
    }
    String id = call.rest.get(0);
    if (!ActivationIds.isValid(id)) {
      throw Rejection.badRequest("The activation id is not valid.");
    }
    ActivationRecord record = store.get(call.namespace, id).orElseThrow(Rejection::notFound);
    if (call.rest.size() == 1) {
      return Reply.ok(record);
    }
    switch (call.rest.get(1)) {
      case "result":
        return Reply.ok(record.response());
      case "logs":
        return Reply.ok(Map.of("logs", record.logs()));
      default:
        throw new Rejection(404, ApiHandler.NO_ROUTE);
    }
  }

  private Reply list(Call call) {
    Paging paging = Paging.of(call, "activations");
    boolean docs = call.flag("docs", false);
    if (docs && paging.count()) {
      throw Rejection.badRequest("The parameter 'docs' is not permitted with 'count'.");
    }
    String name = call.query("name");
    if (name != null && !name.isEmpty()) {
      String[] parts = name.split("/", -1);
      if (parts.length > 2 || !Arrays.stream(parts).allMatch(EntityPath::isLegalName)) {
        throw Rejection.badRequest(
            "Parameter may be a 'simple' name or 'package-name/simple' name: " + name);
      }
    } else {
      name = null;
    }
    Long since = epoch(call, "since");
    Long upto = epoch(call, "upto");
    if (paging.count()) {
      // OpenWhisk counts what a list with this skip would page through
      long all =
          store.count(call.namespace, new ActivationQuery(name, since, upto, 0, Integer.MAX_VALUE));
      return Reply.ok(Map.of("activations", Math.max(0, all - paging.skip())));
    }
    ActivationQuery query = new ActivationQuery(name, since, upto, paging.skip(), paging.limit());
    List<ActivationRecord> records = store.list(call.namespace, query);
    if (docs) {
      return Reply.ok(records);
    }
    return Reply.ok(records.stream().map(ActivationsApi::summary).toList());
  }

  /** The list view without logs and result, with the status code at the top, as OpenWhisk lists. */
  private static ObjectNode summary(ActivationRecord r) {
    ObjectNode out = (ObjectNode) Json.tree(r);
    out.remove("logs");
    out.remove("response");
    out.put("statusCode", r.response().statusCode());
    return out;
  }

  private static Long epoch(Call call, String name) {
    String v = call.query(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw Rejection.badRequest(
          "Parameter is not a valid value for epoch seconds: "
              + v
              + " ('"
              + name
              + "' takes milliseconds since 1970-01-01 UTC, an integer from "
              + Long.MIN_VALUE
              + " to "
              + Long.MAX_VALUE
              + ")");
    }
  }
}

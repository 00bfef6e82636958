package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.entity.Rule;
import io.hpcwhisk.balancer.entity.SemVer;
import io.hpcwhisk.balancer.entity.Trigger;
import io.hpcwhisk.balancer.invoke.TriggerService;
import io.hpcwhisk.balancer.store.EntityStore;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/** {@code /namespaces/{ns}/triggers}: list, create/update, get (with its rules), delete and fire. */
final class TriggersApi implements ApiHandler.Collection {

  private final EntityStore store;
  private final TriggerService triggers;
  private final ApiSettings settings;
  private final InstantSource clock;
  private final Object writeLock;
  private final TypedEntities<Trigger> all;

  TriggersApi(EntityStore store, TriggerService triggers, ApiSettings settings, InstantSource clock, Object writeLock) {
    this.store = store;
    this.triggers = triggers;
    this.settings = settings;
    this.clock = clock;
    this.writeLock = writeLock;
    this.all = new TypedEntities<>(store, Trigger.class, writeLock);
  }

  @Override
  public Object handle(Call call) {
    if (call.rest.isEmpty()) {
      ActionsApi.requireMethod(call, "GET");
      ActionsApi.requireOwn(call);
      Paging paging = Paging.of(call, "triggers");
      return Reply.ok(paging.apply(all.newestFirst(call.namespace, null, t -> true), "triggers"));
    }
    EntityPath path = TypedEntities.single(call);
    ActionsApi.requireOwn(call);
    switch (call.method) {
      case "GET":
        return Reply.ok(view(all.get(path), path));
      case "PUT":
        return put(call, path);
      case "DELETE":
        return all.delete(path);
      case "POST":
        ObjectNode payload = call.jsonObject(settings.maxPayloadBytes());
        return triggers.fire(call.caller, path, payload)
            .map(id -> Reply.of(202, Map.of("activationId", id)).withHeader(ActionsApi.ACTIVATION_ID_HEADER, id))
            .orElseGet(() -> Reply.of(204, null));
      default:
        throw new Rejection(405, "HTTP method not allowed, supported methods: GET, PUT, DELETE, POST");
    }
  }

  /** The trigger with {@code limits: {}} and its rules as OpenWhisk shows them. */
  private ObjectNode view(Trigger t, EntityPath path) {
    ObjectNode out = (ObjectNode) Json.tree(t);
    out.putObject("limits");
    ObjectNode rules = out.putObject("rules");
    for (Rule r : triggers.rulesOf(path)) {
      ObjectNode entry = rules.putObject(path.namespace() + "/" + r.name());
      entry.set("action", Json.tree(r.action()));
      entry.put("status", r.status());
    }
    return out;
  }

  private Reply put(Call call, EntityPath path) {
    boolean overwrite = call.flag("overwrite", false);
    ObjectNode body = call.jsonObject(settings.maxPayloadBytes());
    List<KeyValue> parameters = Bodies.pairs(body, "parameters");
    List<KeyValue> annotations = Bodies.pairs(body, "annotations");
    Boolean publish = Bodies.bool(body, "publish");
    synchronized (writeLock) {
      Trigger old = all.replaced(path, overwrite);
      Trigger t = new Trigger(path.namespace(), path.name(), old == null ? SemVer.INITIAL : SemVer.bump(old.version()),
          publish != null ? publish : old != null && old.publish(),
          annotations != null ? annotations : old != null ? old.annotations() : List.of(),
          parameters != null ? parameters : old != null ? old.parameters() : List.of(),
          clock.millis());
      store.put(path, t);
      return Reply.ok(view(t, path));
    }
  }
}

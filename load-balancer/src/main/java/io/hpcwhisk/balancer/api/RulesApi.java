package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.entity.Rule;
import io.hpcwhisk.balancer.entity.SemVer;
import io.hpcwhisk.balancer.entity.Trigger;
import io.hpcwhisk.balancer.invoke.ActionResolver;
import io.hpcwhisk.balancer.store.EntityStore;
import java.time.InstantSource;
import java.util.List;

/** {@code /namespaces/{ns}/rules}: list, create/update, get, enable/disable ({@code POST {"status"}}), delete. */
final class RulesApi implements ApiHandler.Collection {

  private final EntityStore store;
  private final ActionResolver resolver;
  private final ApiSettings settings;
  private final InstantSource clock;
  private final Object writeLock;
  private final TypedEntities<Rule> rules;

  RulesApi(EntityStore store, ActionResolver resolver, ApiSettings settings, InstantSource clock, Object writeLock) {
    this.store = store;
    this.resolver = resolver;
    this.settings = settings;
    this.clock = clock;
    this.writeLock = writeLock;
    this.rules = new TypedEntities<>(store, Rule.class, writeLock);
  }

  @Override
  public Object handle(Call call) {
    if (call.rest.isEmpty()) {
      ActionsApi.requireMethod(call, "GET");
      ActionsApi.requireOwn(call);
      Paging paging = Paging.of(call, "rules");
      return Reply.ok(paging.apply(rules.newestFirst(call.namespace, null, r -> true), "rules"));
    }
    EntityPath path = TypedEntities.single(call);
    ActionsApi.requireOwn(call);
    switch (call.method) {
      case "GET":
        return Reply.ok(rules.get(path));
      case "PUT":
        return put(call, path);
      case "POST":
        return setStatus(call, path);
      case "DELETE":
        return rules.delete(path);
      default:
        throw new Rejection(405, "HTTP method not allowed, supported methods: GET, PUT, DELETE, POST");
    }
  }

  private Reply setStatus(Call call, EntityPath path) {
    ObjectNode body = call.jsonObject(settings.maxPayloadBytes());
    String status = Bodies.string(body, "status");
    if (!Rule.ACTIVE.equals(status) && !Rule.INACTIVE.equals(status)) {
      throw Rejection.badRequest("Rule status must be 'active' or 'inactive', not '" + status + "'.");
    }
    synchronized (writeLock) {
      Rule rule = rules.get(path);
      Rule updated = rule.withStatus(status, clock.millis());
      store.put(path, updated);
      return Reply.ok(updated);
    }
  }

  private Reply put(Call call, EntityPath path) {
    boolean overwrite = call.flag("overwrite", false);
    ObjectNode body = call.jsonObject(settings.maxPayloadBytes());
    List<KeyValue> annotations = Bodies.pairs(body, "annotations");
    Boolean publish = Bodies.bool(body, "publish");
    String triggerName = Bodies.string(body, "trigger");
    String actionName = Bodies.string(body, "action");
    String status = Bodies.string(body, "status");
    if (status != null && !Rule.ACTIVE.equals(status) && !Rule.INACTIVE.equals(status)) {
      throw Rejection.badRequest("Rule status must be 'active' or 'inactive', not '" + status + "'.");
    }
    synchronized (writeLock) {
      Rule old = rules.replaced(path, overwrite);
      if (old == null && (triggerName == null || actionName == null)) {
        throw Rejection.malformed("a rule needs both 'trigger' and 'action'");
      }
      EntityPath trigger = triggerName != null ? EntityPath.parse(triggerName, call.caller.namespace())
          : old.trigger().toPath();
      EntityPath action = actionName != null ? EntityPath.parse(actionName, call.caller.namespace())
          : old.action().toPath();
      if (!trigger.namespace().equals(call.caller.namespace())) {
        throw Rejection.forbidden();
      }
      if (store.get(trigger).filter(Trigger.class::isInstance).isEmpty()) {
        throw new Rejection(404, "The requested resource '" + trigger.path() + "' does not exist.");
      }
      try {
        resolver.resolve(action, call.caller.namespace());
      } catch (Rejection e) {
        throw e.status() == 404 ? new Rejection(404, "The requested resource '" + action.path() + "' does not exist.") : e;
      }
      Rule rule = new Rule(path.namespace(), path.name(), old == null ? SemVer.INITIAL : SemVer.bump(old.version()),
          publish != null ? publish : old != null && old.publish(),
          status != null ? status : old != null ? old.status() : Rule.ACTIVE,
          Rule.Ref.of(trigger), Rule.Ref.of(action),
          annotations != null ? annotations : old != null ? old.annotations() : List.of(),
          clock.millis());
      store.put(path, rule);
      return Reply.ok(rule);
    }
  }
}

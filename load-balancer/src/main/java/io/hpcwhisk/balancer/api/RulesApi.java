package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.entity.Rule;
import io.hpcwhisk.balancer.entity.Trigger;
import io.hpcwhisk.balancer.invoke.ActionResolver;
import io.hpcwhisk.balancer.store.EntityStore;
import java.time.InstantSource;
import java.util.List;

/**
 * {@code /namespaces/{ns}/rules}: list, create/update, get, enable/disable ({@code POST
 * {"status"}}), delete.
 */
final class RulesApi extends EntityApi<Rule> {

  private final ActionResolver resolver;

  RulesApi(
      EntityStore store,
      ActionResolver resolver,
      ApiSettings settings,
      InstantSource clock,
      Object writeLock) {
    super(store, Rule.class, "rules", "GET, PUT, DELETE, POST", settings, clock, writeLock);
    this.resolver = resolver;
  }

  /** {@code POST {"status": "active" | "inactive"}}: enables or disables the rule. */
  @Override
  protected Object post(Call call, EntityPath path) {
    ObjectNode body = call.jsonObject(settings.maxPayloadBytes());
    String status = Bodies.string(body, "status");
    if (!Rule.ACTIVE.equals(status) && !Rule.INACTIVE.equals(status)) {
      throw Rejection.badRequest(
          "Rule status must be 'active' or 'inactive', not '" + status + "'.");
    }
    return update(path, rule -> rule.withStatus(status, clock.millis()));
  }

  @Override
  protected Reply put(Call call, EntityPath path) {
    boolean overwrite = call.flag("overwrite", false);
    ObjectNode body = call.jsonObject(settings.maxPayloadBytes());
    List<KeyValue> annotations = Bodies.pairs(body, "annotations");
    Boolean publish = Bodies.bool(body, "publish");
    String triggerName = Bodies.string(body, "trigger");
    String actionName = Bodies.string(body, "action");
    String status = Bodies.string(body, "status");
    if (status != null && !Rule.ACTIVE.equals(status) && !Rule.INACTIVE.equals(status)) {
      throw Rejection.badRequest(
          "Rule status must be 'active' or 'inactive', not '" + status + "'.");
    }
    return save(
        path,
        overwrite,
        old -> {
          if (old == null && (triggerName == null || actionName == null)) {
            throw Rejection.malformed("a rule needs both 'trigger' and 'action'");
          }
          EntityPath trigger =
              triggerName != null
                  ? EntityPath.parse(triggerName, call.caller.namespace())
                  : old.trigger().toPath();
          EntityPath action =
              actionName != null
                  ? EntityPath.parse(actionName, call.caller.namespace())
                  : old.action().toPath();
          if (!trigger.namespace().equals(call.caller.namespace())) {
            throw Rejection.forbidden();
          }
          if (store.get(trigger).filter(Trigger.class::isInstance).isEmpty()) {
            throw new Rejection(
                404, "The requested resource '" + trigger.path() + "' does not exist.");
          }
          try {
            resolver.resolve(action, call.caller.namespace());
          } catch (Rejection e) {
            throw e.status() == 404
                ? new Rejection(
                    404, "The requested resource '" + action.path() + "' does not exist.")
                : e;
          }
          return new Rule(
              path.namespace(),
              path.name(),
              nextVersion(old),
              given(publish, old, Rule::publish, false),
              given(status, old, Rule::status, Rule.ACTIVE),
              Rule.Ref.of(trigger),
              Rule.Ref.of(action),
              given(annotations, old, Rule::annotations, List.of()),
              clock.millis());
        },
        rule -> rule);
  }
}

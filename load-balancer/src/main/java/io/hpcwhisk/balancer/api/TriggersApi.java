package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rule;
import io.hpcwhisk.balancer.entity.Trigger;
import io.hpcwhisk.balancer.invoke.TriggerService;
import io.hpcwhisk.balancer.store.EntityStore;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/**
 * {@code /namespaces/{ns}/triggers}: list, create/update, get (with its rules), delete and fire
 * ({@code POST}).
 */
final class TriggersApi extends EntityApi<Trigger> {

  private final TriggerService triggers;

  TriggersApi(
      EntityStore store,
      TriggerService triggers,
      ApiSettings settings,
      InstantSource clock,
      Object writeLock) {
    super(store, Trigger.class, "triggers", "GET, PUT, DELETE, POST", settings, clock, writeLock);
    this.triggers = triggers;
  }

  @Override
  protected Object get(Call call, EntityPath path) {
    return Reply.ok(view(entities.get(path), path));
  }

  @Override
  protected Object post(Call call, EntityPath path) {
    ObjectNode payload = call.jsonObject(settings.maxPayloadBytes());
    return triggers
        .fire(call.caller, path, payload)
        .map(
            id ->
                Reply.of(202, Map.of("activationId", id))
                    .withHeader(Reply.ACTIVATION_ID_HEADER, id))
        .orElseGet(() -> Reply.of(204, null));
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

  @Override
  protected Reply put(Call call, EntityPath path) {
    boolean overwrite = call.flag("overwrite", false);
    ObjectNode body = call.jsonObject(settings.maxPayloadBytes());
    List<KeyValue> parameters = Bodies.pairs(body, "parameters");
    List<KeyValue> annotations = Bodies.pairs(body, "annotations");
    Boolean publish = Bodies.bool(body, "publish");
    return save(
        path,
        overwrite,
        old ->
            new Trigger(
                path.namespace(),
                path.name(),
                nextVersion(old),
                given(publish, old, Trigger::publish, false),
                given(annotations, old, Trigger::annotations, List.of()),
                given(parameters, old, Trigger::parameters, List.of()),
                clock.millis()),
        t -> view(t, path));
  }
}

package io.hpcwhisk.balancer.invoke;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.entity.Rule;
import io.hpcwhisk.balancer.entity.Trigger;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import io.hpcwhisk.balancer.store.ActivationStore;
import io.hpcwhisk.balancer.store.EntityStore;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires triggers: the trigger's parameters merged with the payload go to the action of every active
 * rule of the trigger (each accepted like an invocation, with the trigger's activation as cause),
 * and a trigger activation record lists per rule what happened as JSON log lines, as OpenWhisk
 * does. With no active rule nothing is recorded and the API answers 204.
 *
 * <p>A fire made with an activation's key (an action firing a trigger) has that activation as the
 * trigger activation's {@code cause}; one deeper than the server's chain limit is refused (429) and
 * recorded as a trigger activation whose response names the reason, so a rule whose action fires
 * its own trigger runs at most that many times.
 */
public final class TriggerService {

  private static final Logger LOG = LoggerFactory.getLogger(TriggerService.class);

  private final EntityStore entities;
  private final ActivationStore activations;
  private final ActivationService invoker;
  private final NamespaceThrottle throttle;
  private final InstantSource clock;

  public TriggerService(
      EntityStore entities,
      ActivationStore activations,
      ActivationService invoker,
      NamespaceThrottle throttle,
      InstantSource clock) {
    this.entities = entities;
    this.activations = activations;
    this.invoker = invoker;
    this.throttle = throttle;
    this.clock = clock;
  }

  /** The rules of the namespace that name this trigger. */
  public List<Rule> rulesOf(EntityPath trigger) {
    List<Rule> out = new ArrayList<>();
    for (Rule r : entities.list(trigger.namespace(), null, Rule.class)) {
      if (r.trigger().toPath().equals(trigger)) {
        out.add(r);
      }
    }
    return out;
  }

  /** Fires the trigger; the trigger activation's id, or empty when no rule is active. */
  public Optional<String> fire(Identity caller, EntityPath path, ObjectNode payload) {
    if (!path.namespace().equals(caller.namespace())) {
      throw Rejection.forbidden();
    }
    WhiskEntity found = entities.get(path).orElseThrow(Rejection::notFound);
    if (!(found instanceof Trigger trigger)) {
      throw Rejection.conflict(Rejection.CONFORMANCE);
    }
    String tooDeep = invoker.chainTooDeep(caller);
    if (tooDeep != null) {
      String id = ActivationIds.next();
      long now = clock.millis();
      ObjectNode line =
          Json.MAPPER
              .createObjectNode()
              .put("statusCode", 1)
              .put("success", false)
              .put("error", tooDeep + " No rule of this trigger was run.");
      activations.complete(
          new ActivationRecord(
              id,
              caller.namespace(),
              trigger.name(),
              trigger.version(),
              caller.subject(),
              now,
              now,
              0,
              ActivationResponse.error(ActivationResponse.APPLICATION_ERROR, tooDeep),
              List.of(line.toString()),
              List.of(new KeyValue("path", Json.tree(path.path()))),
              false,
              caller.cause()));
      LOG.warn(
          "namespace {}: fire of trigger {} refused, chain depth {} > {} (cause {}, record {})",
          caller.namespace(),
          path.path(),
          caller.chainDepth(),
          invoker.maxChainDepth(),
          caller.cause(),
          id);
      throw new Rejection(429, tooDeep + " Recorded as trigger activation " + id + ".");
    }
    invoker.refuseOverQuota(caller.namespace(), payload);
    throttle
        .tryFire(caller.namespace())
        .ifPresent(
            message -> {
              throw new Rejection(429, message);
            });
    List<Rule> rules = rulesOf(path);
    if (rules.stream().noneMatch(Rule::isActive)) {
      return Optional.empty();
    }
    ObjectNode params = KeyValue.toObject(trigger.parameters());
    params.setAll(payload);
    String id = ActivationIds.next();
    long start = clock.millis();
    List<String> logs = new ArrayList<>();
    for (Rule rule : rules) {
      ObjectNode line = Json.MAPPER.createObjectNode();
      EntityPath action = rule.action().toPath();
      line.put("rule", path.namespace() + "/" + rule.name());
      line.put("action", action.path());
      if (!rule.isActive()) {
        line.put("statusCode", 1)
            .put("success", false)
            .put(
                "error",
                "Rule '"
                    + path.namespace()
                    + "/"
                    + rule.name()
                    + "' is inactive, action '"
                    + action.path()
                    + "' was not activated.");
      } else {
        try {
          ActivationService.Accepted accepted =
              invoker.invokeForRule(caller, action, params.deepCopy(), id);
          line.put("statusCode", 0)
              .put("success", true)
              .put("activationId", accepted.activationId());
        } catch (Rejection e) {
          line.put("statusCode", e.status() == 404 ? 1 : 3)
              .put("success", false)
              .put("error", e.getMessage());
        }
      }
      logs.add(line.toString());
    }
    long end = clock.millis();
    List<KeyValue> annotations = List.of(new KeyValue("path", Json.tree(path.path())));
    activations.complete(
        new ActivationRecord(
            id,
            caller.namespace(),
            trigger.name(),
            trigger.version(),
            caller.subject(),
            start,
            end,
            0,
            ActivationResponse.success(params),
            logs,
            annotations,
            false,
            caller.cause()));
    return Optional.of(id);
  }
}

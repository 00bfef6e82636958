package io.hpcwhisk.balancer.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.store.ActivationStore;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Conductor actions as OpenWhisk runs them (its {@code docs/conductors.md}): the primary
 * activation, its secondary and component activations, their records and the bounds are stated in
 * docs/user-guide.md (conductor actions, beside sequences).
 */
final class Conductors {

  static final String TOO_LONG = "Too many actions in the composition.";

  private final ActivationService service;
  private final ActionResolver resolver;
  private final ActivationStore activations;
  private final InstantSource clock;
  private final int maxComponents;

  Conductors(
      ActivationService service,
      ActionResolver resolver,
      ActivationStore activations,
      InstantSource clock,
      int maxComponents) {
    this.service = service;
    this.resolver = resolver;
    this.activations = activations;
    this.clock = clock;
    this.maxComponents = maxComponents;
  }

  /** Whether the action's {@code conductor} annotation is set to a value that is not falsy. */
  static boolean isConductor(ResolvedAction action) {
    if (action.action().exec().isSequence()) {
      return false;
    }
    JsonNode v = KeyValue.find(action.action().annotations(), "conductor");
    if (v == null || v.isNull() || v.isMissingNode()) {
      return false;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isNumber()) {
      return v.doubleValue() != 0;
    }
    if (v.isTextual()) {
      return !v.textValue().isEmpty();
    }
    return true;
  }

  /** Where a composition stands: the ids so far, their summed duration, the final response. */
  private record Progress(List<String> ids, long duration, ActivationResponse end) {
    Progress with(String id, long took) {
      List<String> more = new ArrayList<>(ids);
      more.add(id);
      return new Progress(more, duration + took, null);
    }

    Progress ending(ActivationResponse response) {
      return new Progress(ids, duration, response);
    }
  }

  /**
   * Runs the composition of {@code conductor} invoked with {@code payload} as activation {@code id}
   * and builds its primary record (not stored: the caller stores it as any other). {@code counts}
   * holds the components [0] and secondary activations [1] so far of the topmost invocation.
   */
  CompletableFuture<ActivationRecord> run(
      String id,
      String namespace,
      String subject,
      Identity caller,
      ResolvedAction conductor,
      ObjectNode payload,
      String cause,
      long acceptedAt,
      int[] counts) {
    long start = clock.millis();
    return step(
            id,
            namespace,
            subject,
            caller,
            conductor,
            payload,
            new Progress(List.of(), 0, null),
            counts)
        .thenApply(
            done -> {
              long end = Math.max(clock.millis(), start);
              List<KeyValue> annotations = new ArrayList<>();
              annotations.add(new KeyValue("topmost", Json.tree(cause == null)));
              annotations.add(new KeyValue("path", Json.tree(conductor.path().path())));
              annotations.add(new KeyValue("waitTime", Json.tree(Math.max(0, start - acceptedAt))));
              annotations.add(new KeyValue("conductor", Json.tree(true)));
              annotations.add(new KeyValue("kind", Json.tree("sequence")));
              annotations.add(new KeyValue("limits", Json.tree(conductor.action().limits())));
              return new ActivationRecord(
                  id,
                  namespace,
                  conductor.path().name(),
                  conductor.action().version(),
                  subject,
                  start,
                  end,
                  done.duration(),
                  done.end(),
                  done.ids(),
                  annotations,
                  false,
                  cause);
            });
  }

  /** One secondary activation on {@code input}, then the component it names, then the next step. */
  private CompletableFuture<Progress> step(
      String primaryId,
      String namespace,
      String subject,
      Identity caller,
      ResolvedAction conductor,
      ObjectNode input,
      Progress so,
      int[] counts) {
    if (counts[1] > 2 * maxComponents) {
      return CompletableFuture.completedFuture(so.ending(applicationError(TOO_LONG)));
    }
    counts[1]++;
    String secondaryId = ActivationIds.next();
    return service
        .runAction(
            secondaryId, namespace, subject, caller, conductor, input, primaryId, clock.millis())
        .thenCompose(this::store)
        .thenCompose(
            secondary -> {
              Progress after = so.with(secondaryId, secondary.duration());
              ActivationResponse response = secondary.response();
              if (!response.success()) {
                return CompletableFuture.completedFuture(after.ending(response));
              }
              JsonNode result = response.result();
              JsonNode params = result.get("params");
              JsonNode state = result.get("state");
              JsonNode action = result.get("action");
              if (action == null) {
                return CompletableFuture.completedFuture(
                    after.ending(
                        ActivationResponse.success(
                            params == null ? result : box(params, "value"))));
              }
              ResolvedAction component;
              try {
                component = component(action, namespace);
              } catch (Rejection e) {
                return CompletableFuture.completedFuture(
                    after.ending(applicationError(e.getMessage())));
              }
              if (counts[0] >= maxComponents) {
                return CompletableFuture.completedFuture(after.ending(applicationError(TOO_LONG)));
              }
              counts[0]++;
              String componentId = ActivationIds.next();
              ObjectNode componentInput =
                  params == null ? Json.MAPPER.createObjectNode() : box(params, "value");
              return service
                  .execute(
                      componentId,
                      namespace,
                      subject,
                      caller,
                      component,
                      componentInput,
                      primaryId,
                      clock.millis(),
                      counts)
                  .thenCompose(this::store)
                  .thenCompose(
                      done -> {
                        ObjectNode next =
                            done.response().result() instanceof ObjectNode o
                                ? o.deepCopy()
                                : Json.MAPPER.createObjectNode();
                        if (state != null) {
                          next.setAll(box(state, "state"));
                        }
                        return step(
                            primaryId,
                            namespace,
                            subject,
                            caller,
                            conductor,
                            next,
                            after.with(componentId, done.duration()),
                            counts);
                      });
            });
  }

  /**
   * The component a continuation names; a {@link Rejection} whose message is OpenWhisk's when the
   * name cannot be parsed, resolved or run by the caller.
   */
  private ResolvedAction component(JsonNode action, String namespace) {
    if (!action.isTextual()) {
      throw invalid(action);
    }
    String name = action.textValue();
    EntityPath path;
    try {
      path = EntityPath.parse(name, namespace);
    } catch (RuntimeException e) {
      throw invalid(action);
    }
    try {
      return resolver.resolve(path, namespace);
    } catch (Rejection e) {
      throw Rejection.badRequest(
          e.status() == 403
              ? "Failed entitlement check for action with name '" + name + "' during composition."
              : "Failed to resolve action with name '" + name + "' during composition.");
    }
  }

  private static Rejection invalid(JsonNode value) {
    return Rejection.badRequest(
        "Failed to parse action name from json value " + value + " during composition.");
  }

  private CompletableFuture<ActivationRecord> store(ActivationRecord record) {
    return activations.completeAsync(record).thenApply(v -> record);
  }

  private static ObjectNode box(JsonNode value, String field) {
    if (value instanceof ObjectNode o) {
      return o.deepCopy();
    }
    ObjectNode boxed = Json.MAPPER.createObjectNode();
    boxed.set(field, value);
    return boxed;
  }

  private static ActivationResponse applicationError(String message) {
    return ActivationResponse.error(ActivationResponse.APPLICATION_ERROR, message);
  }
}

package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.ActionLimits;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.DeviceRequest;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Kinds;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.entity.SemVer;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import io.hpcwhisk.balancer.entity.WhiskPackage;
import io.hpcwhisk.balancer.invoke.ActionResolver;
import io.hpcwhisk.balancer.invoke.ActivationService;
import io.hpcwhisk.balancer.invoke.ResolvedAction;
import io.hpcwhisk.balancer.store.EntityStore;
import io.hpcwhisk.runtime.ZipLimits;
import io.hpcwhisk.runtime.container.ImageReference;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code /namespaces/{ns}/actions}: list, create/update, get, delete and invoke. */
final class ActionsApi implements ApiHandler.Collection, ApiHandler.Summarised {

  /** The highest {@code limits.concurrency} an action may have: one activation per runtime. */
  static final int MAX_CONCURRENCY = 1;

  private final EntityStore store;
  private final ActionResolver resolver;
  private final ActivationService activations;
  private final ApiSettings settings;
  private final InstantSource clock;
  private final Object writeLock;
  private final TypedEntities<Action> actions;

  ActionsApi(
      EntityStore store,
      ActionResolver resolver,
      ActivationService activations,
      ApiSettings settings,
      InstantSource clock,
      Object writeLock) {
    this.store = store;
    this.resolver = resolver;
    this.activations = activations;
    this.settings = settings;
    this.clock = clock;
    this.writeLock = writeLock;
    this.actions = new TypedEntities<>(store, Action.class, writeLock);
  }

  @Override
  public Object handle(Call call) {
    if (call.rest.isEmpty()
        || (call.rest.size() == 1 && call.trailingSlash && call.method.equals("GET"))) {
      call.requireMethod("GET");
      return list(call, call.rest.isEmpty() ? null : call.rest.get(0));
    }
    if (call.rest.size() > 2) {
      throw new Rejection(404, ApiHandler.NO_ROUTE);
    }
    EntityPath path =
        call.rest.size() == 1
            ? EntityPath.of(call.namespace, call.rest.get(0))
            : new EntityPath(call.namespace, call.rest.get(0), call.rest.get(1));
    switch (call.method) {
      case "GET":
        return get(call, path);
      case "PUT":
        return put(call, path);
      case "DELETE":
        return delete(call, path);
      case "POST":
        return invoke(call, path);
      default:
        throw new Rejection(
            405, "HTTP method not allowed, supported methods: GET, PUT, DELETE, POST");
    }
  }

  private Reply list(Call call, String pkg) {
    Paging paging = Paging.of(call, "actions");
    if (pkg != null) {
      resolver.readablePackage(EntityPath.of(call.namespace, pkg), call.caller.namespace());
    } else {
      call.requireOwnNamespace();
    }
    List<Action> newestFirst = actions.newestFirst(call.namespace, pkg, a -> true);
    return Reply.ok(
        paging.apply(newestFirst.stream().map(Action::withoutCode).toList(), "actions"));
  }

  @Override
  public List<?> all(String namespace) {
    return actions.newestFirst(namespace, null, a -> true).stream()
        .map(Action::withoutCode)
        .toList();
  }

  private Reply get(Call call, EntityPath path) {
    ResolvedAction resolved = resolver.resolve(path, call.caller.namespace());
    Action a = resolved.action();
    if (!resolved.inherited().isEmpty()) {
      a =
          new Action(
              a.namespace(),
              a.name(),
              a.version(),
              a.exec(),
              a.annotations(),
              resolved.parameters(),
              a.limits(),
              a.publish(),
              a.updated());
    }
    return Reply.ok(call.flag("code", true) ? a : a.withoutCode());
  }

  private Reply delete(Call call, EntityPath path) {
    call.requireOwnNamespace();
    Reply reply = actions.delete(path);
    forget(path); // its warm runtimes and their files go with it
    return reply;
  }

  private Reply put(Call call, EntityPath path) {
    call.requireOwnNamespace();
    boolean overwrite = call.flag("overwrite", false);
    ObjectNode body = call.jsonObject(settings.maxCodeBytes());
    List<KeyValue> parameters = Bodies.pairs(body, "parameters");
    List<KeyValue> annotations = Bodies.pairs(body, "annotations");
    Bodies.checkSize(parameters, annotations, settings.maxPayloadBytes());
    Boolean publish = Bodies.bool(body, "publish");
    refuseConcurrency(body);
    JsonNode execNode = body.get("exec");
    Exec exec =
        execNode == null || execNode.isNull()
            ? null
            : parseExec(execNode, call.caller.namespace(), path);
    synchronized (writeLock) {
      if (path.pkg() != null) {
        Optional<WhiskEntity> pkg = store.get(EntityPath.of(path.namespace(), path.pkg()));
        if (pkg.isEmpty() || !(pkg.get() instanceof WhiskPackage p)) {
          throw Rejection.notFound();
        }
        if (p.isBinding()) {
          throw Rejection.badRequest("Operation not permitted on package binding.");
        }
      }
      Action base = actions.replaced(path, overwrite);
      if (base == null && exec == null) {
        throw Rejection.malformed("'exec' is required to create an action");
      }
      Exec newExec = exec != null ? exec : base.exec();
      ActionLimits limits =
          Bodies.limits(
              body,
              base == null ? ActionLimits.DEFAULT : base.limits(),
              settings.maxActionTimeoutMillis());
      List<KeyValue> newAnnotations =
          annotations != null ? annotations : base != null ? base.annotations() : List.of();
      newAnnotations =
          KeyValue.merge(newAnnotations, List.of(new KeyValue("exec", Json.tree(newExec.kind()))));
      DeviceRequest.check(
          limits.cores(),
          DeviceRequest.checkedGpus(newAnnotations),
          activations.dispatcher().largestPilot());
      Action action =
          new Action(
              path.namespacePath(),
              path.name(),
              base == null ? SemVer.INITIAL : SemVer.bump(base.version()),
              newExec,
              newAnnotations,
              parameters != null ? parameters : base != null ? base.parameters() : List.of(),
              limits,
              publish != null ? publish : base != null && base.publish(),
              clock.millis());
      store.put(path, action);
      if (base != null) {
        forget(path); // runtimes of the old version will not be used again
      }
      return Reply.ok(action);
    }
  }

  /**
   * 400 for {@code limits.concurrency} above {@link #MAX_CONCURRENCY}: a runtime runs one
   * activation at a time (parallel activations start more runtimes), so OpenWhisk's intra-container
   * concurrency is not offered rather than accepted and ignored.
   */
  private static void refuseConcurrency(ObjectNode body) {
    JsonNode c = body.path("limits").path("concurrency");
    if (c.isNumber() && c.asDouble() > MAX_CONCURRENCY) {
      throw Rejection.badRequest(
          "concurrency "
              + c.asText()
              + " exceeds allowed threshold of "
              + MAX_CONCURRENCY
              + ": HPC-Whisk runs one activation at a time per runtime (parallel activations of an"
              + " action start more runtimes)");
    }
  }

  /**
   * Drops the executor's warm runtimes of the action's versions, and their files, in the
   * background.
   */
  private void forget(EntityPath path) {
    CompletableFuture.runAsync(() -> activations.dispatcher().forget(path.path()));
  }

  private Exec parseExec(JsonNode node, String callerNamespace, EntityPath self) {
    if (!node.isObject()) {
      throw Rejection.malformed("'exec' must be an object");
    }
    String kind = Bodies.string(node, "kind");
    if (kind == null) {
      throw Rejection.malformed(
          "'exec.kind' is required; valid kinds are: " + String.join(", ", Kinds.VALID) + ".");
    }
    if (!Kinds.isValid(kind)) {
      throw Rejection.malformed(Kinds.unknownKindMessage(kind));
    }
    if (kind.equals(Kinds.SEQUENCE)) {
      return new Exec(kind, null, null, null, null, components(node, callerNamespace, self));
    }
    String code = Bodies.string(node, "code");
    String main = Bodies.string(node, "main");
    String image = Bodies.string(node, "image");
    if (image != null && !image.isEmpty() && kind.equals(Kinds.BLACKBOX)) {
      // a container action (wsk action create --docker IMAGE): code is optional, as in OpenWhisk
      Optional<String> refused = ImageReference.check(image);
      if (refused.isPresent()) {
        throw Rejection.badRequest(
            "The image '" + image + "' in 'exec.image' is refused: " + refused.get() + ".");
      }
      if (code == null || code.isEmpty()) {
        return new Exec(kind, null, false, main, image, null);
      }
    }
    if (code == null || (code.isEmpty() && kind.equals(Kinds.BLACKBOX))) {
      throw Rejection.malformed(
          kind.equals(Kinds.BLACKBOX)
              ? "'exec.code' is required for a blackbox action without 'exec.image': the"
                  + " executable (or a zip with 'exec') as base64"
              : "'exec.code' is required for a " + kind + " action");
    }
    boolean binary = code != null && CodeFormat.isBase64Zip(code);
    if (binary) {
      try {
        ZipLimits.DEFAULT.check(Base64.getDecoder().decode(code.trim()));
      } catch (ZipLimits.Refused e) {
        throw Rejection.badRequest(
            "The zip archive in 'exec.code' is refused: "
                + e.getMessage()
                + ". Limits: "
                + ZipLimits.DEFAULT.maxTotalBytes()
                + " bytes unpacked, "
                + ZipLimits.DEFAULT.maxEntries()
                + " entries, "
                + ZipLimits.DEFAULT.maxRatio()
                + " times the archive's size.");
      }
    }
    if (code.isEmpty()) {
      // OpenWhisk stores a placeholder without code; invoking it is the runtimes' developer error
      return new Exec(Kinds.resolve(kind), code, false, main, image, null);
    }
    if (Kinds.resolve(kind).equals("java") && !binary) {
      throw Rejection.malformed("a java action needs its jar as base64 in 'exec.code'");
    }
    return new Exec(Kinds.resolve(kind), code, binary, main, image, null);
  }

  private List<String> components(JsonNode node, String callerNamespace, EntityPath self) {
    JsonNode list = node.get("components");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw Rejection.badRequest("No component specified for the sequence.");
    }
    if (list.size() > settings.maxSequenceLength()) {
      throw Rejection.badRequest("Too many actions in the sequence.");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode c : list) {
      if (!c.isTextual()) {
        throw Rejection.malformed("each sequence component must be an action name (a string)");
      }
      EntityPath component = EntityPath.parse(c.asText(), callerNamespace);
      if (component.equals(self)) {
        throw Rejection.badRequest("Sequence may not refer to itself.");
      }
      try {
        resolver.resolve(component, callerNamespace);
      } catch (Rejection e) {
        throw Rejection.badRequest("Sequence component does not exist.");
      }
      out.add(component.toString());
    }
    return out;
  }

  private Object invoke(Call call, EntityPath path) {
    boolean blocking = call.flag("blocking", false);
    boolean resultOnly = call.flag("result", false);
    long wait = settings.blockingWaitMillis();
    String timeout = call.query("timeout");
    if (timeout != null && !timeout.isEmpty()) {
      try {
        wait = Long.parseLong(timeout);
      } catch (NumberFormatException e) {
        wait = -1;
      }
      if (wait < 0 || wait > settings.blockingWaitMillis()) {
        throw Rejection.badRequest(
            "Timeout must be number of milliseconds up to " + settings.blockingWaitMillis() + ".");
      }
    }
    ObjectNode payload = call.jsonObject(settings.maxPayloadBytes());
    ActivationService.Accepted accepted = activations.invoke(call.caller, path, payload, blocking);
    Reply acceptedReply =
        Reply.of(202, Map.of("activationId", accepted.activationId()))
            .withHeader(Reply.ACTIVATION_ID_HEADER, accepted.activationId());
    if (!blocking) {
      return acceptedReply;
    }
    // the record's commit made the acceptance durable too; answering with the id alone needs a
    // commit first
    return accepted
        .record()
        .copy()
        .orTimeout(wait, TimeUnit.MILLISECONDS)
        .handle(
            (record, failure) ->
                failure != null
                    ? accepted.durable().get().thenApply(v -> acceptedReply)
                    : CompletableFuture.completedFuture(blockingReply(record, resultOnly)))
        .thenCompose(reply -> reply);
  }

  /**
   * 200 for success, 502 for application and developer errors, 500 for whisk errors, as OpenWhisk.
   */
  static Reply blockingReply(ActivationRecord record, boolean resultOnly) {
    int status =
        switch (record.response().statusCode()) {
          case 0 -> 200;
          case 1, 2 -> 502;
          default -> 500;
        };
    Object body = resultOnly ? record.response().result() : record;
    return Reply.of(status, body).withHeader(Reply.ACTIVATION_ID_HEADER, record.activationId());
  }
}

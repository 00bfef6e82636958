package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import io.hpcwhisk.balancer.entity.WhiskPackage;
import io.hpcwhisk.balancer.invoke.ActionResolver;
import io.hpcwhisk.balancer.store.EntityStore;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * {@code /namespaces/{ns}/packages}: list (a foreign namespace shows its published ones), create,
 * get, delete.
 */
final class PackagesApi extends EntityApi<WhiskPackage> {

  private final ActionResolver resolver;

  PackagesApi(
      EntityStore store,
      ActionResolver resolver,
      ApiSettings settings,
      InstantSource clock,
      Object writeLock) {
    super(store, WhiskPackage.class, "packages", "GET, PUT, DELETE", settings, clock, writeLock);
    this.resolver = resolver;
  }

  /** A package of another namespace may be read when it is published (the resolver checks). */
  @Override
  protected boolean othersMayRead() {
    return true;
  }

  /** A foreign namespace lists only its published packages. */
  @Override
  protected Reply list(Call call) {
    Paging paging = Paging.of(call, collection);
    boolean own = call.ownNamespace();
    return Reply.ok(
        paging.apply(
            entities.newestFirst(call.namespace, null, p -> own || p.publish()), collection));
  }

  @Override
  protected Object get(Call call, EntityPath path) {
    WhiskPackage pkg = resolver.readablePackage(path, call.caller.namespace());
    WhiskPackage contents = pkg;
    List<KeyValue> parameters = pkg.parameters();
    if (pkg.isBinding()) {
      contents =
          resolver.readablePackage(
              EntityPath.of(pkg.binding().namespace(), pkg.binding().name()),
              call.caller.namespace());
      parameters = KeyValue.merge(contents.parameters(), pkg.parameters());
    }
    ObjectNode out = (ObjectNode) Json.tree(pkg);
    out.set("parameters", Json.tree(parameters));
    ArrayNode actions = out.putArray("actions");
    for (Action a : store.list(contents.namespace(), contents.name(), Action.class)) {
      ObjectNode summary = actions.addObject();
      summary.put("name", a.name());
      summary.put("version", a.version());
      summary.set("annotations", Json.tree(a.annotations()));
    }
    out.putArray("feeds");
    return Reply.ok(out);
  }

  @Override
  protected Reply put(Call call, EntityPath path) {
    if (path.name().equals("default")) {
      throw Rejection.badRequest("Package name 'default' is reserved.");
    }
    boolean overwrite = call.flag("overwrite", false);
    ObjectNode body = call.jsonObject(settings.maxPayloadBytes());
    List<KeyValue> parameters = Bodies.pairs(body, "parameters");
    List<KeyValue> annotations = Bodies.pairs(body, "annotations");
    Boolean publish = Bodies.bool(body, "publish");
    WhiskPackage.Binding binding = binding(body.get("binding"), call.caller.namespace());
    return save(
        path,
        overwrite,
        old -> {
          if (old != null && binding != null && !old.isBinding() && binding.namespace() != null) {
            throw Rejection.conflict(
                "Resource is a package and cannot be converted into a binding.");
          }
          return new WhiskPackage(
              path.namespace(),
              path.name(),
              nextVersion(old),
              given(publish, old, WhiskPackage::publish, false),
              given(binding, old, WhiskPackage::binding, WhiskPackage.Binding.NONE),
              given(annotations, old, WhiskPackage::annotations, List.of()),
              given(parameters, old, WhiskPackage::parameters, List.of()),
              clock.millis());
        },
        pkg -> pkg);
  }

  private WhiskPackage.Binding binding(JsonNode node, String callerNamespace) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw Rejection.malformed("'binding' must be an object {\"namespace\": ..., \"name\": ...}");
    }
    if (node.isEmpty()) {
      return WhiskPackage.Binding.NONE;
    }
    String ns = Bodies.string(node, "namespace");
    String name = Bodies.string(node, "name");
    if (ns == null || name == null) {
      throw Rejection.malformed("'binding' needs both 'namespace' and 'name'");
    }
    if (ns.equals("_")) {
      ns = callerNamespace;
    }
    EntityPath target = EntityPath.of(ns, name);
    Optional<WhiskEntity> found = store.get(target);
    if (found.isEmpty() || !(found.get() instanceof WhiskPackage p)) {
      throw Rejection.badRequest("Binding references a package that does not exist.");
    }
    if (!ns.equals(callerNamespace) && !p.publish()) {
      throw Rejection.forbidden();
    }
    if (p.isBinding()) {
      throw Rejection.badRequest("Cannot bind to another package binding.");
    }
    return new WhiskPackage.Binding(ns, name);
  }

  /**
   * Deletes the package with its actions when {@code force} is given; 409 when it holds actions and
   * not.
   */
  @Override
  protected Reply delete(Call call, EntityPath path) {
    boolean force = call.flag("force", false);
    synchronized (writeLock) {
      WhiskPackage pkg = entities.get(path);
      List<Action> contents =
          pkg.isBinding() ? List.of() : store.list(path.namespace(), path.name(), Action.class);
      if (!contents.isEmpty() && !force) {
        throw Rejection.conflict(
            "Package not empty (contains "
                + contents.size()
                + (contents.size() == 1 ? " entity" : " entities")
                + "). Set force param or delete package contents.");
      }
      for (Action a : contents) {
        store.delete(new EntityPath(path.namespace(), path.name(), a.name()));
      }
      store.delete(path);
      return Reply.ok(pkg);
    }
  }
}

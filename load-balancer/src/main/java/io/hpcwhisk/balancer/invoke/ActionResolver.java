package io.hpcwhisk.balancer.invoke;

import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import io.hpcwhisk.balancer.entity.WhiskPackage;
import io.hpcwhisk.balancer.store.EntityStore;
import java.util.List;
import java.util.Optional;

/**
 * Finds the action behind a name and checks the caller may use it, as OpenWhisk does: everything in
 * the caller's own namespace; in another namespace only actions of a published package (directly or
 * through a binding). A missing entity is 404, a forbidden one 403.
 */
public final class ActionResolver {

  private final EntityStore entities;

  public ActionResolver(EntityStore entities) {
    this.entities = entities;
  }

  public ResolvedAction resolve(EntityPath invoked, String callerNamespace) {
    boolean own = invoked.namespace().equals(callerNamespace);
    if (invoked.pkg() == null) {
      if (!own) {
        throw Rejection.forbidden();
      }
      return new ResolvedAction(invoked, action(invoked), List.of());
    }
    WhiskPackage pkg =
        readablePackage(EntityPath.of(invoked.namespace(), invoked.pkg()), callerNamespace);
    List<KeyValue> inherited = pkg.parameters();
    EntityPath real = invoked;
    if (pkg.isBinding()) {
      EntityPath bound = EntityPath.of(pkg.binding().namespace(), pkg.binding().name());
      WhiskPackage target = readablePackage(bound, callerNamespace);
      if (target.isBinding()) {
        throw Rejection.badRequest("Cannot bind to another package binding.");
      }
      inherited = KeyValue.merge(target.parameters(), pkg.parameters());
      real = new EntityPath(bound.namespace(), bound.name(), invoked.name());
    }
    return new ResolvedAction(real, action(real), inherited);
  }

  /** The package if it exists and the caller may read it (own namespace or published). */
  public WhiskPackage readablePackage(EntityPath path, String callerNamespace) {
    Optional<WhiskEntity> found = entities.get(path);
    boolean own = path.namespace().equals(callerNamespace);
    if (found.isEmpty() || !(found.get() instanceof WhiskPackage pkg)) {
      throw own ? Rejection.notFound() : Rejection.forbidden();
    }
    if (!own && !pkg.publish()) {
      throw Rejection.forbidden();
    }
    return pkg;
  }

  private Action action(EntityPath path) {
    Optional<WhiskEntity> found = entities.get(path);
    if (found.isEmpty()) {
      throw Rejection.notFound();
    }
    if (!(found.get() instanceof Action a)) {
      throw Rejection.conflict(Rejection.CONFORMANCE);
    }
    return a;
  }
}

package io.hpcwhisk.balancer.api;

import io.hpcwhisk.balancer.entity.ApiDoc;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import io.hpcwhisk.balancer.store.EntityStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One kind of entity in the store, as every collection handler sees it: a lookup that refuses a
 * name held by another kind (409, as OpenWhisk: actions, packages, triggers and rules share one
 * name space), the entity a {@code PUT} replaces, the newest-first listing, and delete under the
 * API's write lock.
 *
 * @param <T> the entity kind
 */
final class TypedEntities<T extends WhiskEntity> {

  private final EntityStore store;
  private final Class<T> type;
  private final Object writeLock;

  TypedEntities(EntityStore store, Class<T> type, Object writeLock) {
    this.store = store;
    this.type = type;
    this.writeLock = writeLock;
  }

  /**
   * The entity at {@code path}, empty when there is none; 409 when the name belongs to another
   * kind.
   */
  Optional<T> find(EntityPath path) {
    Optional<WhiskEntity> found = store.get(path);
    if (found.isPresent() && found.get() instanceof ApiDoc) {
      return Optional.empty(); // an API route document (ns/default/api-...): not an entity of users
    }
    if (found.isPresent() && !type.isInstance(found.get())) {
      throw Rejection.conflict(Rejection.CONFORMANCE);
    }
    return found.map(type::cast);
  }

  /** The entity at {@code path}; 404 when there is none. */
  T get(EntityPath path) {
    return find(path).orElseThrow(Rejection::notFound);
  }

  /**
   * The entity a {@code PUT} replaces, or {@code null} when the name is free; 409 when it exists
   * and the caller did not ask to overwrite. Call it under the write lock.
   */
  T replaced(EntityPath path, boolean overwrite) {
    T old = find(path).orElse(null);
    if (old != null && !overwrite) {
      throw Rejection.conflict(Rejection.CONFLICT_EXISTS);
    }
    return old;
  }

  /**
   * The entities in {@code namespace} (and package {@code pkg}, or none) that {@code keep} accepts,
   * newest first.
   */
  List<T> newestFirst(String namespace, String pkg, Predicate<? super T> keep) {
    List<T> all = new ArrayList<>();
    for (T entity : store.list(namespace, pkg, type)) {
      if (keep.test(entity)) {
        all.add(entity);
      }
    }
    all.sort(Comparator.comparingLong(WhiskEntity::updated).reversed());
    return all;
  }

  /**
   * Deletes the entity at {@code path} and answers it, as OpenWhisk does; 404 when there is none.
   */
  Reply delete(EntityPath path) {
    synchronized (writeLock) {
      T entity = get(path);
      store.delete(path);
      return Reply.ok(entity);
    }
  }
}

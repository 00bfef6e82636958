package io.hpcwhisk.balancer.store;

import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import java.util.List;
import java.util.Optional;

/**
 * Named entities by their path. Actions, packages, triggers and rules at the top level of a
 * namespace share one name space (as in OpenWhisk); actions in a package live under {@code
 * ns/pkg/name}. Writes are durable when the call returns.
 */
public interface EntityStore {

  Optional<WhiskEntity> get(EntityPath path);

  void put(EntityPath path, WhiskEntity entity);

  /** Removes the entity; false when there was none. */
  boolean delete(EntityPath path);

  /**
   * Entities of one type in a namespace, ordered by name; {@code pkg} narrows to the actions of one
   * package, null lists every entity of the type in the namespace (actions in packages included).
   */
  <T extends WhiskEntity> List<T> list(String namespace, String pkg, Class<T> type);
}

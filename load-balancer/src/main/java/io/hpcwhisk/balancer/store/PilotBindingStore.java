package io.hpcwhisk.balancer.store;

import java.util.List;
import java.util.Optional;

/**
 * Where the bindings of submission tokens to their jobs are kept (the server's store; a map in
 * tests).
 */
public interface PilotBindingStore {

  /** Adds or replaces the binding of {@code binding.scope()}; durable when this returns. */
  void put(PilotBinding binding);

  Optional<PilotBinding> get(String scope);

  /** Removes the binding of a scope (durable when this returns); false when there was none. */
  boolean remove(String scope);

  /** Every binding, in scope order. */
  List<PilotBinding> all();
}

package io.hpcwhisk.balancer.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** Pilot bindings in a map: lost with the process (unit tests and benchmarks only). */
public final class InMemoryPilotBindingStore implements PilotBindingStore {

  private final ConcurrentSkipListMap<String, PilotBinding> map = new ConcurrentSkipListMap<>();

  @Override
  public void put(PilotBinding binding) {
    map.put(binding.scope(), binding);
  }

  @Override
  public Optional<PilotBinding> get(String scope) {
    return Optional.ofNullable(map.get(scope));
  }

  @Override
  public boolean remove(String scope) {
    return map.remove(scope) != null;
  }

  @Override
  public List<PilotBinding> all() {
    return List.copyOf(map.values());
  }
}

package io.hpcwhisk.balancer.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The pilot bindings in the server's store: map {@code pilot-bindings}, key the token scope, value
 * {@link PilotBinding#encode()}. Each change is committed before the call returns, so a binding
 * made before a pilot can register survives a restart that follows.
 */
public final class MvPilotBindingStore implements PilotBindingStore {

  static final String MAP = "pilot-bindings";

  private final MvStoreDatabase db;
  private final StoreMap map;

  private MvPilotBindingStore(MvStoreDatabase db) {
    this.db = db;
    this.map = db.map(MAP);
  }

  /** The bindings kept in {@code db}. */
  public static MvPilotBindingStore open(MvStoreDatabase db) {
    return new MvPilotBindingStore(db);
  }

  @Override
  public void put(PilotBinding binding) {
    map.put(binding.scope(), binding.encode());
    db.commit();
  }

  @Override
  public Optional<PilotBinding> get(String scope) {
    String value = map.get(scope);
    return value == null ? Optional.empty() : Optional.of(PilotBinding.decode(scope, value));
  }

  @Override
  public boolean remove(String scope) {
    boolean removed = map.remove(scope) != null;
    if (removed) {
      db.commit();
    }
    return removed;
  }

  @Override
  public List<PilotBinding> all() {
    List<PilotBinding> all = new ArrayList<>();
    for (Iterator<String> it = map.keyIterator(null); it.hasNext(); ) {
      String scope = it.next();
      get(scope).ifPresent(all::add);
    }
    return all;
  }
}

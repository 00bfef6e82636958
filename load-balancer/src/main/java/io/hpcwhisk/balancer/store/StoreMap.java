package io.hpcwhisk.balancer.store;

import java.util.Collection;
import java.util.Iterator;
import org.h2.mvstore.MVMap;

/**
 * A map of the store (string keys in string order, string values) whose changes go through the
 * database's journal: reads come straight from the MVStore map, each {@code put}/{@code remove} is
 * applied and journaled as one step, and becomes durable at the next {@link
 * MvStoreDatabase#commit()}.
 */
final class StoreMap {

  private final MvStoreDatabase db;
  private final String name;
  private final MVMap<String, String> map;

  StoreMap(MvStoreDatabase db, String name, MVMap<String, String> map) {
    this.db = db;
    this.name = name;
    this.map = map;
  }

  String get(String key) {
    return db.read(() -> map.get(key));
  }

  /** Returns the previous value, or null. */
  String put(String key, String value) {
    return db.put(name, map, key, value);
  }

  /** Returns the removed value, or null when there was none. */
  String remove(String key) {
    return db.remove(name, map, key);
  }

  /** Keys from {@code from} (inclusive; null for the first) in ascending order. */
  Iterator<String> keyIterator(String from) {
    return db.read(() -> map.keyIterator(from));
  }

  Collection<String> values() {
    return db.read(map::values);
  }
}

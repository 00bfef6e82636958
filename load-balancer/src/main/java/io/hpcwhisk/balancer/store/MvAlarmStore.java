package io.hpcwhisk.balancer.store;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@link AlarmStore} in the server's MVStore: map {@code alarms}, key {@code ns/trigger}. Each
 * change is committed before the call returns, so an alarm acknowledged to its creator (and the
 * time it last fired) survives a restart.
 */
public final class MvAlarmStore implements AlarmStore {

  static final String MAP = "alarms";

  private final MvStoreDatabase db;
  private final StoreMap map;

  private MvAlarmStore(MvStoreDatabase db) {
    this.db = db;
    this.map = db.map(MAP);
  }

  /** The alarms kept in {@code db}. */
  public static MvAlarmStore open(MvStoreDatabase db) {
    return new MvAlarmStore(db);
  }

  @Override
  public Optional<String> get(String triggerPath) {
    return Optional.ofNullable(map.get(triggerPath));
  }

  @Override
  public void put(String triggerPath, String json) {
    map.put(triggerPath, json);
    db.commit();
  }

  @Override
  public boolean remove(String triggerPath) {
    boolean removed = map.remove(triggerPath) != null;
    if (removed) {
      db.commit();
    }
    return removed;
  }

  @Override
  public Map<String, String> all() {
    Map<String, String> out = new LinkedHashMap<>();
    Iterator<String> keys = map.keyIterator(null);
    while (keys.hasNext()) {
      String key = keys.next();
      String value = map.get(key);
      if (value != null) {
        out.put(key, value);
      }
    }
    return out;
  }

  @Override
  public int countIn(String namespace) {
    String prefix = namespace + "/";
    int n = 0;
    Iterator<String> keys = map.keyIterator(prefix);
    while (keys.hasNext() && keys.next().startsWith(prefix)) {
      n++;
    }
    return n;
  }
}

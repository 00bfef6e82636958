package io.hpcwhisk.balancer.store;

/** For tests elsewhere: writes a raw value into a store map, as a damaged file or an older server may leave it. */
public final class StoreBackdoor {

  private StoreBackdoor() {}

  public static void putRaw(MvStoreDatabase db, String map, String key, String value) {
    db.map(map).put(key, value);
    db.commit();
  }

  public static String getRaw(MvStoreDatabase db, String map, String key) {
    return db.map(map).get(key);
  }
}

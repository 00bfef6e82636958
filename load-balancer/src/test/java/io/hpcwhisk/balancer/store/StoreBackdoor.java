package io.hpcwhisk.balancer.store;

/**
 * For tests elsewhere: writes a raw value into a store map, as a damaged file or an older server
 * may leave it.
 */
public final class StoreBackdoor {

  private StoreBackdoor() {}

  public static void putRaw(MvStoreDatabase db, String map, String key, String value) {
    db.map(map).put(key, value);
    db.commit();
  }

  public static String getRaw(MvStoreDatabase db, String map, String key) {
    return db.map(map).get(key);
  }

  /**
   * Closes the MVStore under the database, as MVStore itself does after a write fails (e.g. out of
   * memory).
   */
  public static void breakStore(MvStoreDatabase db) {
    db.mvStore().closeImmediately();
  }
}

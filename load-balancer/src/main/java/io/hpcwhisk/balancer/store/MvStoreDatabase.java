package io.hpcwhisk.balancer.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * The embedded default store: one H2 MVStore file ({@code hpc-whisk.mv.db}) under the data directory,
 * holding the entity and activation maps. Every durable write ends in {@link #commit()}, which writes
 * the changes to the file before it returns (a killed process loses nothing that was committed; the
 * operating system keeps the written pages).
 */
public final class MvStoreDatabase implements AutoCloseable {

  public static final String FILE_NAME = "hpc-whisk.mv.db";

  private final MVStore store;
  private final Path file;

  private MvStoreDatabase(MVStore store, Path file) {
    this.store = store;
    this.file = file;
  }

  /** Opens (or creates) the store in {@code dataDir}; fails clearly when another process holds it. */
  public static MvStoreDatabase open(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + dataDir, e);
    }
    Path file = dataDir.resolve(FILE_NAME);
    try {
      MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitBufferSize(1024).open();
      return new MvStoreDatabase(store, file);
    } catch (MVStoreException e) {
      throw new IllegalStateException(
          "cannot open the store " + file + " (is another hpc-whisk server using this data directory?): "
              + e.getMessage(), e);
    }
  }

  <K, V> MVMap<K, V> map(String name) {
    return store.openMap(name);
  }

  /** Writes every change so far to the file. */
  void commit() {
    store.commit();
  }

  public Path file() {
    return file;
  }

  public MvEntityStore entities() {
    return new MvEntityStore(this);
  }

  public MvActivationStore activations() {
    return new MvActivationStore(this);
  }

  @Override
  public void close() {
    if (!store.isClosed()) {
      store.close();
    }
  }
}

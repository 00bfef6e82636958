package io.hpcwhisk.balancer.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.StringDataType;

/**
 * The embedded default store: one H2 MVStore file ({@code hpc-whisk.mv.db}) under the data directory,
 * holding the entity and activation maps. Every durable write ends in {@link #commit()}, which writes
 * the changes to the file before it returns (a killed process loses nothing that was committed; the
 * operating system keeps the written pages).
 *
 * <p>Algorithm (group commit): a writer changes the in-memory maps, then asks for a commit and waits
 * for it. One committer thread takes every request queued so far, commits once, and completes them
 * all, so concurrent writers share one file write instead of paying one each.
 *
 * <p>Known caveats: the file is not fsync'ed on every commit; a killed process loses nothing, a power
 * loss may lose the last commits.
 */
public final class MvStoreDatabase implements AutoCloseable {

  public static final String FILE_NAME = "hpc-whisk.mv.db";
  /**
   * Pages split at 4 KB instead of MVStore's 16 KB: every commit rewrites each page it changed, and
   * activation records (~0.5-1 KB of JSON each, random ids) change a different leaf per activation, so
   * smaller leaves mean less serialization per commit (the commit path was ~30 % of the server's CPU
   * under a blocking-invoke load). A setting of the running store, not of the file format.
   */
  private static final int PAGE_SPLIT_BYTES = 4096;

  private final MVStore store;
  private final Path file;
  private final LinkedBlockingQueue<CompletableFuture<Void>> commitRequests = new LinkedBlockingQueue<>();
  private final Thread committer;
  private final ExecutorService callbacks;
  private volatile boolean closing;

  private MvStoreDatabase(MVStore store, Path file) {
    this.store = store;
    this.file = file;
    AtomicInteger n = new AtomicInteger();
    this.callbacks = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "store-callback-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.committer = new Thread(this::commitLoop, "store-commit");
    committer.setDaemon(true);
    committer.start();
  }

  private void commitLoop() {
    List<CompletableFuture<Void>> batch = new ArrayList<>();
    while (!closing || !commitRequests.isEmpty()) {
      try {
        CompletableFuture<Void> first = commitRequests.take();
        batch.add(first);
      } catch (InterruptedException e) {
        if (closing) {
          break;
        }
        continue;
      }
      commitRequests.drainTo(batch);
      RuntimeException failure = null;
      try {
        store.commit();
      } catch (RuntimeException e) {
        failure = e;
      }
      // what waits on a commit (answers to clients, the next component of a sequence) runs elsewhere,
      // so the committer is free for the next batch at once; a batch is handed over in at most two
      // tasks (one thread wake-up each, not one per waiter), so that both cores may answer
      int half = (batch.size() + 1) / 2;
      handOver(List.copyOf(batch.subList(0, half)), failure);
      if (half < batch.size()) {
        handOver(List.copyOf(batch.subList(half, batch.size())), failure);
      }
      batch.clear();
    }
  }

  private void handOver(List<CompletableFuture<Void>> waiters, RuntimeException failure) {
    callbacks.execute(() -> {
      for (CompletableFuture<Void> f : waiters) {
        if (failure == null) {
          f.complete(null);
        } else {
          f.completeExceptionally(failure);
        }
      }
    });
  }

  /** Opens (or creates) the store in {@code dataDir}; fails clearly when another process holds it. */
  public static MvStoreDatabase open(Path dataDir) {
    try {
      if (!Files.isDirectory(dataDir)) {
        // parameters and code may hold secrets: a new data directory is the server user's only
        Files.createDirectories(dataDir);
        Files.setPosixFilePermissions(dataDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + dataDir, e);
    }
    Path file = dataDir.resolve(FILE_NAME);
    try {
      MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitBufferSize(1024).pageSplitSize(PAGE_SPLIT_BYTES).open();
      return new MvStoreDatabase(store, file);
    } catch (MVStoreException e) {
      throw new IllegalStateException(
          "cannot open the store " + file + " (is another hpc-whisk server using this data directory?): "
              + e.getMessage(), e);
    }
  }

  /** A map of strings to strings (keys compare as strings; no per-value type tags). */
  MVMap<String, String> map(String name) {
    return store.openMap(name, new MVMap.Builder<String, String>()
        .keyType(StringDataType.INSTANCE)
        .valueType(StringDataType.INSTANCE));
  }

  /** Writes every change made so far to the file; returns when it is written. */
  void commit() {
    commitAsync().join();
  }

  /** Completes once every change made before the call is written to the file. */
  CompletableFuture<Void> commitAsync() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closing) {
      store.commit();
      done.complete(null);
    } else {
      commitRequests.add(done);
    }
    return done;
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
    closing = true;
    committer.interrupt();
    try {
      committer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!store.isClosed()) {
      store.commit();
    }
    commitRequests.forEach(f -> f.complete(null));
    callbacks.shutdown();
    try {
      callbacks.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!store.isClosed()) {
      store.close();
    }
  }
}

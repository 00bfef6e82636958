package io.hpcwhisk.balancer.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.StringDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default store: one H2 MVStore file ({@code hpc-whisk.mv.db}) under the data
 * directory, holding the entity and activation maps, with a write-ahead {@link Journal} and group
 * commit ({@link #commit()}); how and why: docs/architecture.md, "The embedded store's journal".
 */
public final class MvStoreDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MvStoreDatabase.class);

  public static final String FILE_NAME = "hpc-whisk.mv.db";
  private static final long CHECKPOINT_NANOS = 1_000_000_000L;
  private static final long MAX_SEGMENT_BYTES = 64L << 20;

  private final MVStore store;
  private final Path file;
  private final Object journalLock = new Object();
  private final Journal journal;
  private final LinkedBlockingQueue<CompletableFuture<Void>> commitRequests =
      new LinkedBlockingQueue<>();
  private final Thread committer;
  private final ExecutorService callbacks;
  private volatile boolean closing;
  private long lastCheckpoint = System.nanoTime();
  private final Consumer<Throwable> onFatal;
  private final AtomicBoolean failed = new AtomicBoolean();

  /** Activation ids whose changes the journal replay at open could not replay. */
  private List<String> lostInReplay = List.of();

  private MvStoreDatabase(MVStore store, Path file, Consumer<Throwable> onFatal) {
    this.store = store;
    this.file = file;
    this.onFatal = onFatal;
    replayJournal(file.getParent());
    this.journal = Journal.start(file.getParent());
    AtomicInteger n = new AtomicInteger();
    this.callbacks =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "store-callback-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.committer = new Thread(this::commitLoop, "store-commit");
    committer.setDaemon(true);
    committer.start();
  }

  /** Applies the segments a crash left (oldest first), commits the file, then deletes them. */
  private void replayJournal(Path dir) {
    List<Path> segments = Journal.segments(dir);
    if (segments.isEmpty()) {
      return;
    }
    int changes = 0;
    Set<String> lost = new LinkedHashSet<>();
    Map<String, MVMap<String, String>> maps = new HashMap<>();
    for (Path segment : segments) {
      Journal.Replayed replayed = Journal.replay(segment);
      for (Journal.Change c : replayed.changes()) {
        MVMap<String, String> map = maps.computeIfAbsent(c.map(), this::openMap);
        if (c.value() == null) {
          map.remove(c.key());
        } else {
          map.put(c.key(), c.value());
        }
      }
      changes += replayed.changes().size();
      for (Journal.Damage d : replayed.damaged()) {
        LOG.error(
            "journal segment {}: could not replay {} (bytes {}-{} of {}): {}; its changes are lost;"
                + " activation ids in it: {}; keys still legible: {}. The {} intact batches of that"
                + " segment were replayed.",
            segment,
            d.batches(),
            d.from(),
            d.to(),
            segment.getFileName(),
            d.reason(),
            d.activationIds().isEmpty() ? "none legible" : String.join(", ", d.activationIds()),
            d.keys().isEmpty() ? "none" : String.join(", ", d.keys()),
            replayed.batches());
        lost.addAll(d.activationIds());
      }
    }
    if (!lost.isEmpty()) {
      LOG.error(
          "journal replay could not replay the changes to {} activation(s): {}",
          lost.size(),
          String.join(", ", lost));
    }
    lostInReplay = List.copyOf(lost);
    store.commit();
    for (Path segment : segments) {
      deleteSegment(segment);
    }
    LOG.info(
        "replayed {} store changes from {} journal segment(s) in {}",
        changes,
        segments.size(),
        dir);
  }

  private static void deleteSegment(Path segment) {
    try {
      Files.deleteIfExists(segment);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete journal segment " + segment, e);
    }
  }

  String put(String name, MVMap<String, String> map, String key, String value) {
    try {
      synchronized (journalLock) {
        String previous = map.put(key, value);
        journal.put(name, key, value);
        return previous;
      }
    } catch (Throwable t) {
      checkFatal(t);
      throw t;
    }
  }

  String remove(String name, MVMap<String, String> map, String key) {
    try {
      synchronized (journalLock) {
        String previous = map.remove(key);
        if (previous != null) {
          journal.remove(name, key);
        }
        return previous;
      }
    } catch (Throwable t) {
      checkFatal(t);
      throw t;
    }
  }

  /** A read of a map; a failure that closed the store is fatal. */
  <T> T read(Supplier<T> read) {
    try {
      return read.get();
    } catch (Throwable t) {
      checkFatal(t);
      throw t;
    }
  }

  /**
   * Called with every failure of a store operation: when the MVStore has closed itself (it does so
   * after a write fails, e.g. with an OutOfMemoryError) and this database is not closing, nothing
   * can use the store again, so the fatal handler runs (once): by default, the server exits.
   */
  void checkFatal(Throwable failure) {
    if (closing || !store.isClosed() || !failed.compareAndSet(false, true)) {
      return;
    }
    LOG.error(
        "FATAL: the store {} has closed itself after a failure ({}); no request that touches the"
            + " store can succeed any more. The journal keeps every acknowledged change for the"
            + " next start.",
        file,
        failure.toString(),
        failure);
    onFatal.accept(failure);
  }

  /**
   * A failure of the committer itself (an Error while journaling or checkpointing): fatal, once.
   */
  private void fatal(Throwable failure) {
    if (closing || !failed.compareAndSet(false, true)) {
      return;
    }
    LOG.error(
        "FATAL: the store {} failed while writing its journal or checkpoint ({}); nothing more can"
            + " be acknowledged safely. The journal keeps every acknowledged change for the next"
            + " start.",
        file,
        failure.toString(),
        failure);
    onFatal.accept(failure);
  }

  /** True once the store failed for good (see {@link #checkFatal}). */
  public boolean failed() {
    return failed.get();
  }

  private void commitLoop() {
    List<CompletableFuture<Void>> batch = new ArrayList<>();
    while (!closing || !commitRequests.isEmpty()) {
      try {
        CompletableFuture<Void> first = commitRequests.poll(1, TimeUnit.SECONDS);
        if (first != null) {
          batch.add(first);
        }
      } catch (InterruptedException e) {
        if (closing) {
          break;
        }
        continue;
      }
      // every change of a request taken here was buffered before its request was queued
      commitRequests.drainTo(batch);
      RuntimeException failure = null;
      try {
        byte[] entries;
        synchronized (journalLock) {
          entries = journal.takeBuffered();
        }
        journal.write(entries);
      } catch (RuntimeException e) {
        failure = e;
      } catch (Error e) {
        // e.g. out of memory while copying the buffer: which changes reached the journal is
        // unknown,
        // so nothing more may be acknowledged; the journal holds everything acknowledged before
        failure = new IllegalStateException("the store journal failed: " + e, e);
        fatal(e);
      }
      // what waits on a commit (answers to clients, the next component of a sequence) runs on two
      // threads, so that both cores may answer: half of the batch is handed to a callback thread
      // (one
      // wake-up, not one per waiter), the other half is completed here (a journal commit is short,
      // so
      // the next batch waits little, and a lone waiter costs no wake-up at all)
      int half = (batch.size() + 1) / 2;
      if (half < batch.size()) {
        handOver(List.copyOf(batch.subList(half, batch.size())), failure);
      }
      completeAll(batch.subList(0, half), failure);
      batch.clear();
      if (System.nanoTime() - lastCheckpoint >= CHECKPOINT_NANOS
          || journal.segmentBytes() > MAX_SEGMENT_BYTES) {
        checkpoint();
      }
    }
  }

  /**
   * Moves what the journal holds into the MVStore file: a new segment takes the changes from now
   * on, the file is committed (it then holds at least every change of the older segments), and the
   * older segments are deleted. A failure leaves the segments in place for the next open to replay.
   */
  private void checkpoint() {
    lastCheckpoint = System.nanoTime();
    try {
      byte[] entries;
      Path closed;
      synchronized (journalLock) {
        entries = journal.takeBuffered();
        if (entries.length == 0 && journal.segmentBytes() == 0) {
          return;
        }
        journal.write(entries);
        closed = journal.rotate();
      }
      store.commit();
      if (store.isClosed()) {
        // a closed MVStore's commit returns without writing: the segment is all that holds those
        // changes
        throw new IllegalStateException(
            "the store closed during a checkpoint; journal segment "
                + closed
                + " is kept for the next start");
      }
      deleteSegment(closed);
    } catch (RuntimeException | Error e) {
      if (e instanceof Error) {
        fatal(e);
      }
      checkFatal(e);
      if (!failed.get()) {
        LOG.warn(
            "store checkpoint failed (the journal keeps the changes; retried in a second): {}",
            e.toString());
      }
    }
  }

  private void handOver(List<CompletableFuture<Void>> waiters, RuntimeException failure) {
    callbacks.execute(() -> completeAll(waiters, failure));
  }

  private static void completeAll(List<CompletableFuture<Void>> waiters, RuntimeException failure) {
    for (CompletableFuture<Void> f : waiters) {
      if (failure == null) {
        f.complete(null);
      } else {
        f.completeExceptionally(failure);
      }
    }
  }

  /**
   * Opens (or creates) the store in {@code dataDir}; fails clearly when another process holds it. A
   * store that fails for good later on is only logged; a server passes a fatal handler, see {@link
   * #open(Path, java.util.function.Consumer)}.
   */
  public static MvStoreDatabase open(Path dataDir) {
    return open(dataDir, failure -> {});
  }

  /**
   * As {@link #open(Path)}; {@code onFatal} runs once when the store fails for good (see {@link
   * #checkFatal}), e.g. {@link FatalStoreError#exitProcess}.
   */
  public static MvStoreDatabase open(Path dataDir, Consumer<Throwable> onFatal) {
    DataDirectory.secure(dataDir);
    Path file = dataDir.resolve(FILE_NAME);
    try {
      MvStoreDatabase[] opened = new MvStoreDatabase[1];
      // no background commit: the checkpoint's commit writes the file in the committer thread and
      // has
      // finished when it returns, so the journal segments it covers may be deleted (a background
      // write
      // failing after the segments were gone lost acknowledged changes)
      MVStore store =
          new MVStore.Builder()
              .fileName(file.toString())
              .autoCommitDisabled()
              .backgroundExceptionHandler(
                  (thread, failure) -> {
                    if (opened[0] != null) {
                      opened[0].checkFatal(failure);
                    }
                  })
              .open();
      DataDirectory.ownerOnly(file);
      opened[0] = new MvStoreDatabase(store, file, onFatal);
      return opened[0];
    } catch (MVStoreException e) {
      if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
        throw new IllegalStateException(
            "cannot open the store "
                + file
                + " (is another hpc-whisk server using this data directory?): "
                + e.getMessage(),
            e);
      }
      // e.g. out of memory while replaying the journal: the journal and the file are left as they
      // are
      throw new IllegalStateException(
          "cannot open the store "
              + file
              + ": "
              + e.getMessage()
              + (e.getCause() instanceof OutOfMemoryError
                  ? " (replaying the journal at start needs memory for its largest changes; give"
                      + " the server a larger heap, -Xmx in HPC_WHISK_JVM_OPTS)"
                  : ""),
          e);
    }
  }

  /** A journaled map of strings to strings (keys compare as strings; no per-value type tags). */
  StoreMap map(String name) {
    return new StoreMap(this, name, read(() -> openMap(name)));
  }

  private MVMap<String, String> openMap(String name) {
    return store.openMap(
        name,
        new MVMap.Builder<String, String>()
            .keyType(StringDataType.INSTANCE)
            .valueType(StringDataType.INSTANCE));
  }

  /** Writes every change made so far to the journal; returns when it is written. */
  void commit() {
    commitAsync().join();
  }

  /** Completes once every change made before the call is written to the file. */
  CompletableFuture<Void> commitAsync() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closing) {
      store.commit(); // the committer may be gone: the file itself takes the change
      done.complete(null);
    } else {
      commitRequests.add(done);
    }
    return done;
  }

  /**
   * The activation ids named in journal batches that the replay at open could not replay (logged
   * there).
   */
  public List<String> lostInReplay() {
    return lostInReplay;
  }

  /** The MVStore itself, for tests that break it. */
  MVStore mvStore() {
    return store;
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
    // everything is in the maps: one last checkpoint makes the file hold it all, and no segment is
    // left
    if (!store.isClosed()) {
      synchronized (journalLock) {
        journal.takeBuffered();
        journal.close();
      }
      store.commit();
      Journal.segments(file.getParent()).forEach(MvStoreDatabase::deleteSegment);
    }
    commitRequests.forEach(f -> f.complete(null));
    callbacks.shutdown();
    try {
      callbacks.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!store.isClosed()) {
      store.close();
    }
  }
}

package io.hpcwhisk.balancer.store.postgres;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the activations' durable writes: each caller hands one statement to one of a few
 * writer threads and waits; a writer takes every statement that is waiting (up to {@link
 * #MAX_BATCH}), sends them as JDBC batches (one round trip per kind of statement) in <em>one</em>
 * transaction and commits once, so many concurrent activations share one write-ahead-log flush and
 * a few round trips. Each caller returns only after the commit that holds its statement — the same
 * promise as one transaction per call.
 *
 * <p>Order: statements of one kind run in the order they arrived; when two statements of a batch
 * touch the same key (activation id), the whole batch runs strictly in arrival order instead. When
 * a shared transaction fails for another reason than an unavailable database (a deadlock between
 * two writers, one bad statement), each statement runs again alone in its own transaction, so one
 * statement's failure never fails another's. An unavailable database fails the whole batch with the
 * same {@link StoreUnavailableException} a single transaction would throw.
 *
 * <p>A caller that must not block (a pilot's result, handled on the thread that reads the pilot's
 * connection) uses {@link #submit}: its future completes on a callback thread, never a writer's, so
 * the next batch is not held up by what the caller does with the answer.
 */
final class GroupCommit implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

  /** At most this many statements share one transaction. */
  static final int MAX_BATCH = 128;

  /**
   * Threads that run what callers of {@link #submit} do once their write has committed (a
   * sequence's next step may wait for its own write there), as the embedded store's.
   */
  private static final int CALLBACK_THREADS = 4;

  /** Sets a statement's parameters. */
  @FunctionalInterface
  interface Binder {
    void bind(PreparedStatement s) throws SQLException;
  }

  /** One statement and the caller waiting for its update count. */
  private record Unit(
      String what, String key, String sql, Binder binder, CompletableFuture<Integer> done) {}

  private final PostgresStore db;
  private final LinkedBlockingQueue<Unit> waiting = new LinkedBlockingQueue<>();
  private final List<Thread> writers = new ArrayList<>();

  /** Not shut down at close (a late commit may still hand it an answer): its threads time out. */
  private final ThreadPoolExecutor callbacks;

  private volatile boolean closed;

  GroupCommit(PostgresStore db, int writerThreads) {
    this.db = db;
    AtomicInteger n = new AtomicInteger();
    this.callbacks =
        new ThreadPoolExecutor(
            CALLBACK_THREADS,
            CALLBACK_THREADS,
            5,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "hpc-whisk-store-callback-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    callbacks.allowCoreThreadTimeOut(true);
    for (int i = 0; i < writerThreads; i++) {
      Thread t = new Thread(this::write, "hpc-whisk-store-writer-" + i);
      t.setDaemon(true);
      t.start();
      writers.add(t);
    }
  }

  /**
   * Runs {@code sql} (bound by {@code binder}) in a transaction shared with other waiting writes
   * and returns its update count once that transaction has committed.
   *
   * @param key what the statement touches (an activation id): statements on one key keep their
   *     order
   * @throws StoreUnavailableException when the database cannot be reached (as {@link
   *     PostgresStore#tx})
   */
  int run(String what, String key, String sql, Binder binder) {
    try {
      return enqueue(what, key, sql, binder).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the store (" + what + ")", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(
          "the PostgreSQL store failed (" + what + "): " + e.getCause(), e.getCause());
    }
  }

  /**
   * As {@link #run} without blocking: the future completes, on a callback thread, once the
   * transaction that holds the statement has committed (or fails as {@link #run} would throw).
   */
  CompletableFuture<Integer> submit(String what, String key, String sql, Binder binder) {
    CompletableFuture<Integer> done;
    try {
      done = enqueue(what, key, sql, binder);
    } catch (StoreUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    // the callers' continuations run on a callback thread, not on the writer that committed
    return done.whenCompleteAsync((n, t) -> {}, callbacks);
  }

  private CompletableFuture<Integer> enqueue(String what, String key, String sql, Binder binder) {
    if (closed) {
      throw new StoreUnavailableException("the PostgreSQL store is closed (" + what + ")", null);
    }
    CompletableFuture<Integer> done = new CompletableFuture<>();
    waiting.add(new Unit(what, key, sql, binder, done));
    return done;
  }

  private void write() {
    List<Unit> batch = new ArrayList<>(MAX_BATCH);
    while (!closed || !waiting.isEmpty()) {
      try {
        Unit first = waiting.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        waiting.drainTo(batch, MAX_BATCH - 1);
        runBatch(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        // a statement still open here (the writer was interrupted) must not leave its caller
        // waiting
        for (Unit u : batch) {
          u.done()
              .completeExceptionally(
                  new StoreUnavailableException(
                      "the store's writer stopped (" + u.what() + ")", null));
        }
        batch.clear();
      }
    }
  }

  /**
   * The batch as runs of one statement each: grouped by statement (in order of first appearance)
   * when no key occurs twice, else consecutive runs in strict arrival order.
   */
  static <U> List<List<U>> runs(List<U> batch, Function<U, String> sql, Function<U, String> key) {
    Set<String> keys = new HashSet<>();
    boolean distinct = true;
    for (U u : batch) {
      distinct &= keys.add(key.apply(u));
    }
    List<List<U>> out = new ArrayList<>();
    if (distinct) {
      Map<String, List<U>> bySql = new LinkedHashMap<>();
      for (U u : batch) {
        bySql.computeIfAbsent(sql.apply(u), k -> new ArrayList<>()).add(u);
      }
      out.addAll(bySql.values());
      return out;
    }
    List<U> run = null;
    for (U u : batch) {
      if (run == null || !sql.apply(run.get(0)).equals(sql.apply(u))) {
        run = new ArrayList<>();
        out.add(run);
      }
      run.add(u);
    }
    return out;
  }

  private void runBatch(List<Unit> batch) {
    try {
      String what = batch.size() == 1 ? batch.get(0).what() : batch.size() + " grouped writes";
      Map<Unit, Integer> counts =
          db.tx(
              what,
              c -> {
                Map<Unit, Integer> out = new IdentityHashMap<>();
                for (List<Unit> run : runs(batch, Unit::sql, Unit::key)) {
                  try (PreparedStatement s = c.prepareStatement(run.get(0).sql())) {
                    if (run.size() == 1) {
                      run.get(0).binder().bind(s);
                      out.put(run.get(0), s.executeUpdate());
                      continue;
                    }
                    for (Unit u : run) {
                      u.binder().bind(s);
                      s.addBatch();
                    }
                    int[] n = s.executeBatch();
                    for (int i = 0; i < run.size(); i++) {
                      out.put(run.get(i), n[i]);
                    }
                  }
                }
                return out;
              });
      // only now, after the commit, does any caller learn its result
      for (Unit u : batch) {
        u.done().complete(counts.get(u));
      }
      return;
    } catch (StoreUnavailableException e) {
      batch.forEach(u -> u.done().completeExceptionally(e));
      return;
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).done().completeExceptionally(e);
        return;
      }
      LOG.debug("a grouped transaction of {} writes failed; each runs alone: {}", batch.size(), e);
    }
    for (Unit u : batch) {
      try {
        u.done()
            .complete(
                db.tx(
                    u.what(),
                    c -> {
                      try (PreparedStatement s = c.prepareStatement(u.sql())) {
                        u.binder().bind(s);
                        return s.executeUpdate();
                      }
                    }));
      } catch (RuntimeException e) {
        u.done().completeExceptionally(e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : writers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    Unit u;
    while ((u = waiting.poll()) != null) {
      u.done()
          .completeExceptionally(
              new StoreUnavailableException(
                  "the PostgreSQL store is closed (" + u.what() + ")", null));
    }
  }
}

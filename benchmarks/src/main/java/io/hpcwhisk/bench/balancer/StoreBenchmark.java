package io.hpcwhisk.bench.balancer;

import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.store.ActivationStore;
import io.hpcwhisk.balancer.store.MvStoreDatabase;
import io.hpcwhisk.balancer.store.PendingActivation;
import io.hpcwhisk.balancer.store.postgres.PostgresStore;
import io.hpcwhisk.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Accept + complete throughput of the two stores in one run: each of {@code threads} threads loops
 * {@code accept} (durable pending entry) then {@code complete} (durable record, pending entry gone)
 * of a fresh activation for {@code seconds}, first on the embedded MVStore (in a temporary data
 * directory), then on PostgreSQL 15 (a private cluster from testkit's {@code PostgresCluster},
 * {@code fsync} on, default {@code synchronous_commit}) twice: each write in its own transaction
 * (the baseline) and with the store's group commit (its default). Prints each store's rate and
 * latency and the ratio PostgreSQL / embedded. No HTTP, no dispatch: the store alone.
 *
 * <p>Usage: {@code java -cp benchmarks/target/…:… io.hpcwhisk.bench.balancer.StoreBenchmark
 * [threads=8] [seconds=10] [warm-up seconds=3] [postgres setting ...]}, e.g. {@code fsync=off} (the
 * embedded store's promise: a killed process loses nothing, an operating-system crash may); as
 * root, PostgreSQL runs as the {@code postgres} account. Figures depend on what else runs on the
 * machine.
 */
public final class StoreBenchmark {

  private StoreBenchmark() {}

  record Result(String store, long pairs, double seconds, Histogram micros) {
    double perSecond() {
      return pairs / seconds;
    }

    String line() {
      return String.format(
          "%-9s %8d accept+complete pairs in %.1f s = %8.0f/s; latency of one pair p50 %6d µs, p99"
              + " %6d µs",
          store,
          pairs,
          seconds,
          perSecond(),
          micros.getValueAtPercentile(50),
          micros.getValueAtPercentile(99));
    }
  }

  /** Activation ids, unique over every run of one benchmark (warm-ups included). */
  private static final AtomicLong IDS = new AtomicLong();

  static Result run(String name, ActivationStore store, int threads, double seconds)
      throws Exception {
    AtomicLong ids = IDS;
    AtomicLong pairs = new AtomicLong();
    Histogram micros = new ConcurrentHistogram(60_000_000L, 3);
    long end = System.nanoTime() + (long) (seconds * 1e9);
    List<Thread> workers = new ArrayList<>();
    long started = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                while (System.nanoTime() < end) {
                  String id = String.format("%032x", ids.incrementAndGet());
                  long now = System.currentTimeMillis();
                  long t0 = System.nanoTime();
                  store.accept(
                      new PendingActivation(
                          id,
                          "bench",
                          "bench",
                          "/bench/noop",
                          Json.MAPPER.createObjectNode().put("i", 1),
                          now,
                          null,
                          0));
                  store.complete(
                      new ActivationRecord(
                          id,
                          "bench",
                          "noop",
                          "0.0.1",
                          "bench",
                          now,
                          now,
                          0,
                          ActivationResponse.success(Json.MAPPER.createObjectNode()),
                          List.of(),
                          List.of(new KeyValue("path", Json.tree("bench/noop"))),
                          false,
                          null));
                  micros.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                  pairs.incrementAndGet();
                }
              },
              "bench-" + t);
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    return new Result(name, pairs.get(), (System.nanoTime() - started) / 1e9, micros);
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(
          "usage: StoreBenchmark [threads=8] [seconds=10] [warm-up seconds=3] [postgres setting"
              + " ...]\n"
              + "Accept+complete throughput on the embedded store and on a private PostgreSQL 15"
              + " cluster (fsync on), with their ratio.");
      return;
    }
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
    double warmup = args.length > 2 ? Double.parseDouble(args[2]) : 3;
    Path dir = Files.createTempDirectory("store-bench");
    Result embedded;
    try (MvStoreDatabase db = MvStoreDatabase.open(dir.resolve("data"))) {
      run("embedded", db.activations(), threads, warmup);
      embedded = run("embedded", db.activations(), threads, seconds);
    }
    Result single;
    Result postgres;
    List<String> settings = args.length > 3 ? List.of(args).subList(3, args.length) : List.of();
    try (PostgresCluster cluster = PostgresCluster.start(settings)) {
      String url = cluster.createDatabase();
      var s = new PostgresStore.Settings(url, cluster.user(), cluster.password(), threads, 30_000);
      // the baseline: each write in its own transaction on the caller's thread
      try (PostgresStore pg = PostgresStore.open(s, 0)) {
        run("pg-1tx", pg.activations(), threads, warmup);
        single = run("pg-1tx", pg.activations(), threads, seconds);
      }
      try (PostgresStore pg = PostgresStore.open(s)) {
        run("postgres", pg.activations(), threads, warmup);
        postgres = run("postgres", pg.activations(), threads, seconds);
      }
    }
    System.out.println(
        "threads " + threads + ", " + seconds + " s each after " + warmup + " s warm-up");
    System.out.println(embedded.line());
    System.out.println(single.line());
    System.out.println(postgres.line());
    System.out.printf(
        "ratio postgres/embedded: %.3f (one transaction per write: %.3f; group commit / one"
            + " transaction per write: %.2f)%n",
        postgres.perSecond() / embedded.perSecond(),
        single.perSecond() / embedded.perSecond(),
        postgres.perSecond() / single.perSecond());
    System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).strip());
  }
}

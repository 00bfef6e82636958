package io.hpcwhisk.bench.balancer;

import java.util.List;
import java.util.Locale;

/**
 * What one set-up of the {@code stores} mode measured, and where its time went, per activation:
 * throughput and client latency, CPU of the server JVM (without the client's threads), of the
 * PostgreSQL processes (postmaster and backends), of the pilot JVMs and of the action runtimes;
 * PostgreSQL transactions, WAL bytes and WAL fsyncs; activations handed to another server through
 * the dispatch queue. {@code pg} is null for the embedded store.
 */
record StoreFigures(
    String name,
    long activations,
    double seconds,
    double latencyP50Ms,
    double latencyP99Ms,
    double overheadP50Ms,
    long serverCpuNanos,
    long postgresCpuNanos,
    long pilotCpuNanos,
    long runtimeCpuNanos,
    PgStats pg,
    long handOffs) {

  /**
   * {@code during} (counted over {@code seconds}) less the background rate {@code idle /
   * idleSeconds} over the same time, never below 0; {@code during} unchanged without an idle
   * measurement.
   */
  static long lessBackground(long during, double seconds, long idle, double idleSeconds) {
    if (idleSeconds <= 0) {
      return during;
    }
    return Math.max(0, during - Math.round(idle * seconds / idleSeconds));
  }

  double perSecond() {
    return seconds <= 0 ? 0 : activations / seconds;
  }

  /** {@code value / activations}, or 0 without activations. */
  double perActivation(double value) {
    return activations <= 0 ? 0 : value / activations;
  }

  /** CPU microseconds per activation. */
  double microsPerActivation(long nanos) {
    return perActivation(nanos) / 1000.0;
  }

  /** Throughput as a ratio to {@code base}'s (NaN when the base measured nothing). */
  double ratioTo(StoreFigures base) {
    return base.perSecond() <= 0 ? Double.NaN : perSecond() / base.perSecond();
  }

  /** The throughput table: one line per set-up, ratios to the first. */
  static String throughputTable(List<StoreFigures> all) {
    StoreFigures base = all.get(0);
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%-22s %9s %7s %9s %9s %12s%n",
            "set-up",
            "req/s",
            "ratio",
            "p50 ms",
            "p99 ms",
            "overhead p50"));
    for (StoreFigures f : all) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-22s %9.0f %7.3f %9.2f %9.2f %9s ms%n",
              f.name,
              f.perSecond(),
              f.ratioTo(base),
              f.latencyP50Ms,
              f.latencyP99Ms,
              f.overheadP50Ms <= 0 ? "-" : String.format(Locale.ROOT, "<=%.2f", f.overheadP50Ms)));
    }
    return b.toString();
  }

  /** The where-the-time-goes table: one line per set-up, everything per activation. */
  static String timeTable(List<StoreFigures> all) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%-22s %9s %9s %9s %9s %9s %7s %9s %7s %9s%n",
            "per activation",
            "server us",
            "pg us",
            "pilot us",
            "runtime us",
            "total us",
            "xacts",
            "WAL bytes",
            "fsyncs",
            "via queue"));
    for (StoreFigures f : all) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-22s %9.0f %9s %9.0f %9.0f %9.0f %7s %9s %7s %9s%n",
              f.name,
              f.microsPerActivation(f.serverCpuNanos),
              f.pg == null
                  ? "-"
                  : String.format(Locale.ROOT, "%.0f", f.microsPerActivation(f.postgresCpuNanos)),
              f.microsPerActivation(f.pilotCpuNanos),
              f.microsPerActivation(f.runtimeCpuNanos),
              f.microsPerActivation(
                  f.serverCpuNanos + f.postgresCpuNanos + f.pilotCpuNanos + f.runtimeCpuNanos),
              f.pg == null ? "-" : fixed(f.perActivation(f.pg.transactions()), 2),
              f.pg == null ? "-" : fixed(f.perActivation(f.pg.walBytes()), 0),
              f.pg == null ? "-" : fixed(f.perActivation(f.pg.walSyncs()), 3),
              f.pg == null ? "-" : fixed(f.perActivation(f.handOffs), 3)));
    }
    return b.toString();
  }

  private static String fixed(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}

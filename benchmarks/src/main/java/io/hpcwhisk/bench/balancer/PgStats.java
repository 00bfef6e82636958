package io.hpcwhisk.bench.balancer;

import java.util.regex.Pattern;

/**
 * PostgreSQL's own counters for one database, read before and after a measured run: committed and
 * rolled back transactions ({@code pg_stat_database}) and the cluster's WAL records, bytes, writes
 * and fsyncs ({@code pg_stat_wal}). Backends report their counters at most once a second (and an
 * idle one within 10 s), so a reading taken 11 s after a run has settled.
 */
record PgStats(long transactions, long walRecords, long walBytes, long walWrites, long walSyncs) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  /** The query for database {@code database}: one line {@code xacts|records|bytes|writes|syncs}. */
  static String query(String database) {
    if (!NAME.matcher(database).matches()) {
      throw new IllegalArgumentException(
          "database name '" + database + "': expected a lower-case SQL identifier");
    }
    return "SELECT d.xact_commit + d.xact_rollback, w.wal_records, w.wal_bytes, w.wal_write,"
        + " w.wal_sync FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = '"
        + database
        + "';";
  }

  /** Parses the unaligned, tuples-only output of {@link #query(String)} ({@code psql -A -t}). */
  static PgStats parse(String psqlOutput) {
    String line = psqlOutput.strip();
    String[] f = line.split("\\|");
    if (f.length != 5) {
      throw new IllegalArgumentException(
          "pg_stat_database/pg_stat_wal output '" + line + "': expected 5 fields separated by |");
    }
    try {
      return new PgStats(
          Long.parseLong(f[0].strip()),
          Long.parseLong(f[1].strip()),
          Long.parseLong(f[2].strip()),
          Long.parseLong(f[3].strip()),
          Long.parseLong(f[4].strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "pg_stat_database/pg_stat_wal output '" + line + "': expected 5 integers", e);
    }
  }

  /**
   * These counters (measured over {@code seconds}) less the background measured while idle ({@code
   * idle} over {@code idleSeconds}: heartbeats, polls), scaled to the same length.
   */
  PgStats lessBackground(double seconds, PgStats idle, double idleSeconds) {
    return new PgStats(
        StoreFigures.lessBackground(transactions, seconds, idle.transactions, idleSeconds),
        StoreFigures.lessBackground(walRecords, seconds, idle.walRecords, idleSeconds),
        StoreFigures.lessBackground(walBytes, seconds, idle.walBytes, idleSeconds),
        StoreFigures.lessBackground(walWrites, seconds, idle.walWrites, idleSeconds),
        StoreFigures.lessBackground(walSyncs, seconds, idle.walSyncs, idleSeconds));
  }

  PgStats minus(PgStats o) {
    return new PgStats(
        transactions - o.transactions,
        walRecords - o.walRecords,
        walBytes - o.walBytes,
        walWrites - o.walWrites,
        walSyncs - o.walSyncs);
  }
}

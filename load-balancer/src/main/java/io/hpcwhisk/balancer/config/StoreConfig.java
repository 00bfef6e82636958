package io.hpcwhisk.balancer.config;

import io.hpcwhisk.configuration.Check;
import io.hpcwhisk.configuration.Copyable;
import java.nio.file.Path;

/**
 * The store: the embedded one in the data directory (default), or PostgreSQL.
 *
 * @param dataDir directory of the store and identities; default {@code ~/.hpc-whisk/data} (with
 *     {@code kind: postgres} it still holds the identities and the pilot credentials)
 * @param activationRetentionHours activation records older than this are deleted; default 168 (7
 *     days)
 * @param namespaceQuotaMb what one namespace may keep in the store as pending payloads and
 *     activation records (within the retention); invocations and fires above it are refused (429);
 *     default 1024
 * @param kind {@code embedded} (default: the MVStore file in {@code dataDir}) or {@code postgres}
 *     (entities, activations and pilot bindings in {@link #postgres()})
 * @param postgres the database of {@code kind: postgres}
 */
public record StoreConfig(
    String dataDir,
    Integer activationRetentionHours,
    Long namespaceQuotaMb,
    String kind,
    ServerConfig.Postgres postgres)
    implements Copyable<StoreConfig> {
  public static final StoreConfig DEFAULT = new StoreConfig(null, null, null, null, null);

  /** With the default quota. */
  public StoreConfig(String dataDir, Integer activationRetentionHours) {
    this(dataDir, activationRetentionHours, null, null, null);
  }

  /** The embedded store. */
  public StoreConfig(String dataDir, Integer activationRetentionHours, Long namespaceQuotaMb) {
    this(dataDir, activationRetentionHours, namespaceQuotaMb, null, null);
  }

  public StoreConfig {
    dataDir = Check.orDefault(dataDir, "~/.hpc-whisk/data");
    activationRetentionHours =
        Check.range(
            "store.activation-retention-hours",
            activationRetentionHours,
            168,
            1,
            Integer.MAX_VALUE);
    namespaceQuotaMb =
        Check.range("store.namespace-quota-mb", namespaceQuotaMb, 1024L, 1, Long.MAX_VALUE);
    kind = Check.oneOf("store.kind", kind, "embedded", "embedded", "postgres");
    postgres = postgres == null ? ServerConfig.Postgres.NONE : postgres;
    if (kind.equals("postgres")) {
      postgres.requireComplete();
    }
  }

  public boolean postgresKind() {
    return kind.equals("postgres");
  }

  /** The same settings on PostgreSQL. */
  public StoreConfig withPostgres(ServerConfig.Postgres p) {
    return new StoreConfig(dataDir, activationRetentionHours, namespaceQuotaMb, "postgres", p);
  }

  /** The data directory with {@code ~} expanded. */
  public Path dataPath() {
    return dataDir.startsWith("~/")
        ? Path.of(System.getProperty("user.home"), dataDir.substring(2))
        : Path.of(dataDir);
  }

  public StoreConfig withDataDir(String dir) {
    return with(StoreConfig::dataDir, dir);
  }

  public StoreConfig withNamespaceQuotaMb(long mb) {
    return with(StoreConfig::namespaceQuotaMb, mb);
  }

  /** The quota in bytes. */
  public long namespaceQuotaBytes() {
    return namespaceQuotaMb * 1024 * 1024;
  }
}

package io.hpcwhisk.balancer.store.postgres;

import io.hpcwhisk.balancer.store.PilotBinding;
import io.hpcwhisk.balancer.store.PilotBindingStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link PilotBindingStore} on the table {@code pilot_bindings}; each change has committed on
 * return.
 */
public final class PostgresPilotBindingStore implements PilotBindingStore {

  private static final String COLUMNS =
      "scope, job_id, bound_at_ms, time_limit_ms, not_after_ms, token_file";

  private final PostgresStore db;

  PostgresPilotBindingStore(PostgresStore db) {
    this.db = db;
  }

  @Override
  public void put(PilotBinding b) {
    db.tx(
        "bind a pilot token",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO pilot_bindings ("
                      + COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope) DO UPDATE SET job_id ="
                      + " EXCLUDED.job_id, bound_at_ms = EXCLUDED.bound_at_ms, time_limit_ms ="
                      + " EXCLUDED.time_limit_ms, not_after_ms = EXCLUDED.not_after_ms, token_file"
                      + " = EXCLUDED.token_file")) {
            s.setString(1, b.scope());
            s.setString(2, b.jobId());
            s.setLong(3, b.boundAt().toEpochMilli());
            s.setLong(4, b.timeLimit().toMillis());
            s.setLong(5, b.notAfter().toEpochMilli());
            s.setString(6, b.tokenFile().map(Path::toString).orElse(null));
            return s.executeUpdate();
          }
        });
  }

  private static PilotBinding read(ResultSet r) throws SQLException {
    String file = r.getString(6);
    return new PilotBinding(
        r.getString(1),
        r.getString(2),
        Instant.ofEpochMilli(r.getLong(3)),
        Duration.ofMillis(r.getLong(4)),
        Instant.ofEpochMilli(r.getLong(5)),
        file == null ? Optional.empty() : Optional.of(Path.of(file)));
  }

  @Override
  public Optional<PilotBinding> get(String scope) {
    return db.tx(
        "read a pilot binding",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT " + COLUMNS + " FROM pilot_bindings WHERE scope = ?")) {
            s.setString(1, scope);
            try (ResultSet r = s.executeQuery()) {
              return r.next() ? Optional.of(read(r)) : Optional.<PilotBinding>empty();
            }
          }
        });
  }

  @Override
  public boolean remove(String scope) {
    return db.tx(
        "remove a pilot binding",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM pilot_bindings WHERE scope = ?")) {
            s.setString(1, scope);
            return s.executeUpdate() > 0;
          }
        });
  }

  @Override
  public List<PilotBinding> all() {
    return db.tx(
        "list pilot bindings",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT " + COLUMNS + " FROM pilot_bindings ORDER BY scope")) {
            List<PilotBinding> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                out.add(read(r));
              }
            }
            return out;
          }
        });
  }
}

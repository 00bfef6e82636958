package io.hpcwhisk.balancer.store.postgres;

import io.hpcwhisk.balancer.store.AlarmStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@link AlarmStore} on the table {@code alarms}; each change has committed on return. */
public final class PostgresAlarmStore implements AlarmStore {

  private final PostgresStore db;

  PostgresAlarmStore(PostgresStore db) {
    this.db = db;
  }

  @Override
  public Optional<String> get(String triggerPath) {
    return db.tx(
        "read an alarm",
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT body FROM alarms WHERE key = ?")) {
            s.setString(1, triggerPath);
            try (ResultSet r = s.executeQuery()) {
              return r.next() ? Optional.of(r.getString(1)) : Optional.<String>empty();
            }
          }
        });
  }

  @Override
  public void put(String triggerPath, String json) {
    db.tx(
        "write an alarm",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO alarms (key, body) VALUES (?, ?)"
                      + " ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body")) {
            s.setString(1, triggerPath);
            s.setString(2, json);
            return s.executeUpdate();
          }
        });
  }

  @Override
  public boolean remove(String triggerPath) {
    return db.tx(
        "delete an alarm",
        c -> {
          try (PreparedStatement s = c.prepareStatement("DELETE FROM alarms WHERE key = ?")) {
            s.setString(1, triggerPath);
            return s.executeUpdate() > 0;
          }
        });
  }

  @Override
  public Map<String, String> all() {
    return db.tx(
        "list the alarms",
        c -> {
          Map<String, String> out = new LinkedHashMap<>();
          try (PreparedStatement s =
                  c.prepareStatement("SELECT key, body FROM alarms ORDER BY key");
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              out.put(r.getString(1), r.getString(2));
            }
          }
          return out;
        });
  }

  @Override
  public int countIn(String namespace) {
    return db.tx(
        "count a namespace's alarms",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT count(*) FROM alarms WHERE key LIKE ? ESCAPE '!'")) {
            s.setString(
                1, namespace.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "/%");
            try (ResultSet r = s.executeQuery()) {
              r.next();
              return r.getInt(1);
            }
          }
        });
  }
}

package io.hpcwhisk.balancer.store.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.ApiDoc;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.Rule;
import io.hpcwhisk.balancer.entity.Trigger;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import io.hpcwhisk.balancer.entity.WhiskPackage;
import io.hpcwhisk.balancer.store.EntityStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EntityStore} on the table {@code entities} (path → {@code {"type", "entity"}}), in the
 * same form and key order as the embedded store. Not cached: another server on the same database
 * may change an entity.
 */
public final class PostgresEntityStore implements EntityStore {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresEntityStore.class);
  private static final Map<String, Class<? extends WhiskEntity>> TYPES =
      Map.of(
          "action",
          Action.class,
          "package",
          WhiskPackage.class,
          "trigger",
          Trigger.class,
          "rule",
          Rule.class,
          "api",
          ApiDoc.class);

  private final PostgresStore db;

  PostgresEntityStore(PostgresStore db) {
    this.db = db;
  }

  private static String typeName(Class<?> type) {
    for (var e : TYPES.entrySet()) {
      if (e.getValue().equals(type)) {
        return e.getKey();
      }
    }
    throw new IllegalArgumentException("not an entity type: " + type);
  }

  private WhiskEntity decodeOrQuarantine(String key, String stored) {
    try {
      JsonNode node = Json.read(stored, JsonNode.class);
      Class<? extends WhiskEntity> type = TYPES.get(node.path("type").asText());
      if (type == null) {
        throw new IllegalStateException("stored entity has unknown type: " + node.path("type"));
      }
      return Json.MAPPER.convertValue(node.get("entity"), type);
    } catch (RuntimeException e) {
      String reason = Json.readFailure(e);
      if (PostgresActivationStore.quarantine(db, "entities", key, stored, reason)) {
        LOG.error(
            "store entry {} of table 'entities' does not read back ({}); kept as it was in the"
                + " table 'quarantine' and treated as absent",
            key,
            reason);
      }
      return null;
    }
  }

  @Override
  public Optional<WhiskEntity> get(EntityPath path) {
    String key = path.path();
    String stored =
        db.tx(
            "read an entity",
            c -> {
              try (PreparedStatement s =
                  c.prepareStatement("SELECT body FROM entities WHERE path = ?")) {
                s.setString(1, key);
                try (ResultSet r = s.executeQuery()) {
                  return r.next() ? r.getString(1) : null;
                }
              }
            });
    return stored == null ? Optional.empty() : Optional.ofNullable(decodeOrQuarantine(key, stored));
  }

  @Override
  public void put(EntityPath path, WhiskEntity entity) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("type", typeName(entity.getClass()));
    node.set("entity", Json.tree(entity));
    String body = node.toString();
    db.tx(
        "write an entity",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO entities (path, body) VALUES (?, ?)"
                      + " ON CONFLICT (path) DO UPDATE SET body = EXCLUDED.body")) {
            s.setString(1, path.path());
            s.setString(2, body);
            return s.executeUpdate();
          }
        });
  }

  @Override
  public boolean delete(EntityPath path) {
    return db.tx(
        "delete an entity",
        c -> {
          try (PreparedStatement s = c.prepareStatement("DELETE FROM entities WHERE path = ?")) {
            s.setString(1, path.path());
            return s.executeUpdate() > 0;
          }
        });
  }

  @Override
  public <T extends WhiskEntity> List<T> list(String namespace, String pkg, Class<T> type) {
    String prefix = pkg == null ? namespace + "/" : namespace + "/" + pkg + "/";
    List<String[]> rows =
        db.tx(
            "list entities",
            c -> {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT path, body FROM entities WHERE starts_with(path, ?) ORDER BY path")) {
                s.setString(1, prefix);
                List<String[]> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                  while (r.next()) {
                    out.add(new String[] {r.getString(1), r.getString(2)});
                  }
                }
                return out;
              }
            });
    List<T> out = new ArrayList<>();
    for (String[] row : rows) {
      WhiskEntity e = decodeOrQuarantine(row[0], row[1]);
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }
}

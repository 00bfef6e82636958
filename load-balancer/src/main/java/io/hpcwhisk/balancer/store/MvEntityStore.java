package io.hpcwhisk.balancer.store;

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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EntityStore} on an MVStore map keyed {@code ns/name} or {@code ns/pkg/name}; the value is
 * {@code {"type": "action", "entity": {...}}}. Keys sort so that one namespace is one key range.
 */
public final class MvEntityStore implements EntityStore {

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

  private final MvStoreDatabase db;
  private final StoreMap map;
  private final StoreMap quarantine;
  private static final Logger LOG = LoggerFactory.getLogger(MvEntityStore.class);

  /**
   * Decoded entities by key (absent ones are not cached). This process is the only writer; a write
   * changes the map first and then drops the key here, and a fill reads the map inside the key's
   * lock, so no stale entity survives a write.
   */
  private final ConcurrentHashMap<String, WhiskEntity> cache = new ConcurrentHashMap<>();

  MvEntityStore(MvStoreDatabase db) {
    this.db = db;
    this.map = db.map("entities");
    this.quarantine = db.map("quarantine");
  }

  private static String key(EntityPath path) {
    return path.path();
  }

  private static String typeName(Class<?> type) {
    for (var e : TYPES.entrySet()) {
      if (e.getValue().equals(type)) {
        return e.getKey();
      }
    }
    throw new IllegalArgumentException("not an entity type: " + type);
  }

  private static WhiskEntity decode(String stored) {
    JsonNode node = Json.read(stored, JsonNode.class);
    Class<? extends WhiskEntity> type = TYPES.get(node.path("type").asText());
    if (type == null) {
      throw new IllegalStateException("stored entity has unknown type: " + node.path("type"));
    }
    return Json.MAPPER.convertValue(node.get("entity"), type);
  }

  private Optional<WhiskEntity> get(String key) {
    return Optional.ofNullable(
        cache.computeIfAbsent(
            key,
            k -> {
              String stored = map.get(k);
              return stored == null ? null : decodeOrQuarantine(k, stored);
            }));
  }

  /**
   * The entity, or null when it does not read back (damage, or stored by a version without the JSON
   * limits): it is then copied unchanged to the {@code quarantine} map, logged with its key, and
   * treated as absent (404; its owner may create it again), so that one bad entry does not fail
   * every list of its namespace.
   */
  private WhiskEntity decodeOrQuarantine(String key, String stored) {
    try {
      return decode(stored);
    } catch (RuntimeException e) {
      String reason = Json.readFailure(e);
      if (quarantine.get("entities\u0001" + key) == null) {
        quarantine.put("entities\u0001" + key, stored);
        db.commitAsync();
        LOG.error(
            "store entry {} of map 'entities' does not read back ({}); kept as it was ({}"
                + " characters) in the map 'quarantine' under key 'entities' + U+0001 + '{}', and"
                + " treated as absent",
            key,
            reason,
            stored.length(),
            key);
      }
      return null;
    }
  }

  @Override
  public Optional<WhiskEntity> get(EntityPath path) {
    return get(key(path));
  }

  @Override
  public void put(EntityPath path, WhiskEntity entity) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("type", typeName(entity.getClass()));
    node.set("entity", Json.tree(entity));
    map.put(key(path), node.toString());
    cache.remove(key(path));
    db.commit();
  }

  @Override
  public boolean delete(EntityPath path) {
    boolean removed = map.remove(key(path)) != null;
    cache.remove(key(path));
    db.commit();
    return removed;
  }

  @Override
  public <T extends WhiskEntity> List<T> list(String namespace, String pkg, Class<T> type) {
    String prefix = pkg == null ? namespace + "/" : namespace + "/" + pkg + "/";
    List<T> out = new ArrayList<>();
    Iterator<String> keys = map.keyIterator(prefix);
    while (keys.hasNext()) {
      String key = keys.next();
      if (!key.startsWith(prefix)) {
        break;
      }
      WhiskEntity entity = get(key).orElse(null);
      if (type.isInstance(entity)) {
        out.add(type.cast(entity));
      }
    }
    return out;
  }
}

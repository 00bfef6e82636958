package io.hpcwhisk.balancer.entity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** One parameter or annotation: OpenWhisk's {@code {"key": ..., "value": ...}} pair. */
public record KeyValue(String key, JsonNode value) {

  public KeyValue {
    Objects.requireNonNull(key, "key");
    value = value == null ? JsonNodeFactory.instance.nullNode() : value;
  }

  /**
   * Merges pair lists: later lists override earlier ones key by key, order of first appearance
   * kept.
   */
  @SafeVarargs
  public static List<KeyValue> merge(List<KeyValue>... lists) {
    Map<String, JsonNode> merged = new LinkedHashMap<>();
    for (List<KeyValue> list : lists) {
      if (list != null) {
        list.forEach(kv -> merged.put(kv.key(), kv.value()));
      }
    }
    List<KeyValue> out = new ArrayList<>(merged.size());
    merged.forEach((k, v) -> out.add(new KeyValue(k, v)));
    return List.copyOf(out);
  }

  /** The pairs as one JSON object. */
  public static ObjectNode toObject(List<KeyValue> pairs) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    if (pairs != null) {
      pairs.forEach(kv -> node.set(kv.key(), kv.value()));
    }
    return node;
  }

  /** The value of {@code key}, or null. */
  public static JsonNode find(List<KeyValue> pairs, String key) {
    if (pairs != null) {
      for (KeyValue kv : pairs) {
        if (kv.key().equals(key)) {
          return kv.value();
        }
      }
    }
    return null;
  }
}

package io.hpcwhisk.balancer.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * About how many bytes a JSON value takes when written (strings by their length, numbers as 8),
 * without writing it: the storage quota's measure, cheap enough to run on every accepted
 * activation.
 */
final class JsonSize {

  private JsonSize() {}

  static long of(JsonNode node) {
    if (node == null) {
      return 4;
    }
    if (node.isTextual()) {
      return node.textValue().length() + 2L;
    }
    if (node.isObject()) {
      long size = 2;
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        size += e.getKey().length() + 4L + of(e.getValue());
      }
      return size;
    }
    if (node.isArray()) {
      long size = 2;
      for (JsonNode element : node) {
        size += 1 + of(element);
      }
      return size;
    }
    if (node.isBinary()) {
      return node.asText().length() + 2L;
    }
    return 8;
  }
}

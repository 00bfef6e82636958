package io.hpcwhisk.balancer.entity;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The one Jackson mapper for entities and records, on the wire and in the store, and the one set of
 * JSON limits it holds everything to.
 *
 * <p>Two depths: what a user sends or an action returns ({@link #MAX_CONTENT_DEPTH}) is checked
 * where it arrives; what the server stores wraps that content in a few levels of its own (a
 * record's {@code response.result}, an entity's {@code parameters[].value}), so the store reads and
 * writes up to {@link #MAX_STORED_DEPTH}. Because the stored limit is the content limit plus more
 * than any wrapper adds, whatever was accepted can always be written and read back. Strings are
 * limited to {@link #MAX_STRING_CHARS} characters (as large as the largest request body, so the
 * body size limits of the API are what refuses a large string first) and numbers to {@link
 * #MAX_NUMBER_CHARS} characters, field names to {@link #MAX_NAME_CHARS}; a stored document may be
 * at most {@link #MAX_STORED_DOCUMENT_CHARS} characters.
 *
 * <p>Known caveats: the limits are fixed in code, not configured; the pilot protocol has its own
 * mapper (with larger limits), so a result deeper than {@link #MAX_CONTENT_DEPTH} (up to the
 * protocol's limit) reaches the server and is refused there, see {@link #violation}.
 */
public final class Json {

  /**
   * Nesting depth of a request body, an invoke payload or an action result (objects and arrays).
   */
  public static final int MAX_CONTENT_DEPTH = 200;

  /**
   * Nesting depth of any stored document: content plus the store's own wrapping levels (at most 5).
   */
  public static final int MAX_STORED_DEPTH = MAX_CONTENT_DEPTH + 32;

  /** Characters in one JSON string: 48 MiB, the largest action body. */
  public static final int MAX_STRING_CHARS = 48 * 1_048_576;

  /** Characters in one field name (Jackson's default, written down). */
  public static final int MAX_NAME_CHARS = 50_000;

  /** Characters in one JSON number. */
  public static final int MAX_NUMBER_CHARS = 1_000;

  /** Characters in one stored document (an action with 48 MiB of code and its parameters fits). */
  public static final long MAX_STORED_DOCUMENT_CHARS = 64L * 1_048_576;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_STORED_DEPTH)
                  .maxStringLength(MAX_STRING_CHARS)
                  .maxNumberLength(MAX_NUMBER_CHARS)
                  .maxNameLength(MAX_NAME_CHARS)
                  .maxDocumentLength(MAX_STORED_DOCUMENT_CHARS)
                  .build())
          .streamWriteConstraints(
              StreamWriteConstraints.builder().maxNestingDepth(MAX_STORED_DEPTH).build())
          .build();

  private static final JsonFactory CONTENT_FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_CONTENT_DEPTH)
                  .maxStringLength(MAX_STRING_CHARS)
                  .maxNumberLength(MAX_NUMBER_CHARS)
                  .maxNameLength(MAX_NAME_CHARS)
                  .maxDocumentLength(MAX_STORED_DOCUMENT_CHARS)
                  .build())
          .build();

  /** Reads and writes stored documents and replies (the stored limits). */
  public static final ObjectMapper MAPPER = configured(JsonMapper.builder(FACTORY));

  /** Reads what arrives from users (the content limits); see {@link #readContent}. */
  private static final ObjectMapper CONTENT = configured(JsonMapper.builder(CONTENT_FACTORY));

  private static ObjectMapper configured(JsonMapper.Builder builder) {
    return builder
        .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .addModule(new BlackbirdModule())
        .build();
  }

  private Json() {}

  /**
   * A JSON document over one of the limits: which limit, its value, and whether it is about size.
   */
  public static final class LimitExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean size;

    LimitExceeded(String message, boolean size) {
      super(message, null, false, false);
      this.size = size;
    }

    /**
     * True for a string or document over its length limit (HTTP 413), false for depth or number
     * (400).
     */
    public boolean isSize() {
      return size;
    }
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(
          "cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(
          "cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(
          "cannot read " + type.getSimpleName() + " from stored JSON", e);
    }
  }

  public static JsonNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /**
   * Parses what a user sent under the content limits. Throws {@link LimitExceeded} with the limit's
   * name and value (never Jackson's own wording) when one is broken, and {@link
   * JsonProcessingException} for malformed JSON.
   */
  public static JsonNode readContent(byte[] data) throws IOException {
    try {
      return CONTENT.readTree(data);
    } catch (StreamConstraintsException e) {
      throw limitExceeded(e);
    }
  }

  /** Reads stored documents that no longer read as their type: no limits, see {@link #salvage}. */
  private static final JsonFactory SALVAGE_FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(Integer.MAX_VALUE)
                  .maxStringLength(Integer.MAX_VALUE)
                  .maxNameLength(Integer.MAX_VALUE)
                  .maxNumberLength(Integer.MAX_VALUE)
                  .maxDocumentLength(0) // unlimited
                  .build())
          .build();

  /**
   * The top-level scalar fields (as text) still legible in a stored document that does not read as
   * its type: streams over it without limits and without building the nested values, and stops at
   * the first byte that is not JSON, keeping what it read so far.
   */
  public static Map<String, String> salvage(String stored) {
    Map<String, String> out = new HashMap<>();
    try (JsonParser p = SALVAGE_FACTORY.createParser(stored)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return out;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (value != null && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
          out.put(name, p.getText());
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException | RuntimeException e) {
      // what was read up to the damage is what is legible
    }
    return out;
  }

  /** Why a stored document did not read back, in words (not Jackson's internal ones). */
  public static String readFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StreamConstraintsException e) {
        LimitExceeded l = limitExceeded(e);
        return l.getMessage()
            .replace(
                "limit of " + MAX_CONTENT_DEPTH + " levels",
                "stored limit of " + MAX_STORED_DEPTH + " levels");
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof JsonProcessingException e) {
        var at = e.getLocation();
        return "it is not valid JSON"
            + (at == null ? "" : " (at character " + at.getCharOffset() + ")")
            + " or does not fit its type";
      }
    }
    return String.valueOf(failure);
  }

  private static LimitExceeded limitExceeded(StreamConstraintsException e) {
    String jackson = String.valueOf(e.getOriginalMessage());
    if (jackson.startsWith("String value length")) {
      return new LimitExceeded(
          "a JSON string is longer than the limit of " + MAX_STRING_CHARS + " characters", true);
    }
    if (jackson.startsWith("Number value length") || jackson.contains("Number")) {
      return new LimitExceeded(
          "a JSON number is longer than the limit of " + MAX_NUMBER_CHARS + " characters", false);
    }
    if (jackson.startsWith("Name length")) {
      return new LimitExceeded(
          "a JSON field name is longer than the limit of " + MAX_NAME_CHARS + " characters", true);
    }
    if (jackson.startsWith("Document length") || jackson.contains("document length")) {
      return new LimitExceeded(
          "the JSON document is longer than the limit of "
              + MAX_STORED_DOCUMENT_CHARS
              + " characters",
          true);
    }
    return new LimitExceeded(
        "the JSON nests deeper than the limit of "
            + MAX_CONTENT_DEPTH
            + " levels of objects and arrays",
        false);
  }

  /**
   * The first content limit {@code node} breaks (nesting depth, string or number length), or empty.
   * For values that did not come through {@link #readContent}, e.g. an action's result. Walks the
   * tree without recursion, so a tree of any depth is checked without a stack overflow.
   */
  public static Optional<String> violation(JsonNode node) {
    if (node == null) {
      return Optional.empty();
    }
    ArrayDeque<Object[]> stack =
        new ArrayDeque<>(); // {iterator of children, depth of the children's parent}
    Optional<String> own = scalarViolation(node);
    if (own.isPresent()) {
      return own;
    }
    if (node.isContainerNode()) {
      stack.push(new Object[] {node.elements(), 1});
    }
    while (!stack.isEmpty()) {
      Object[] top = stack.peek();
      @SuppressWarnings("unchecked")
      Iterator<JsonNode> children = (Iterator<JsonNode>) top[0];
      int depth = (Integer) top[1];
      if (depth > MAX_CONTENT_DEPTH) {
        return Optional.of(
            "it nests deeper than the limit of "
                + MAX_CONTENT_DEPTH
                + " levels of objects and arrays");
      }
      if (!children.hasNext()) {
        stack.pop();
        continue;
      }
      JsonNode child = children.next();
      Optional<String> bad = scalarViolation(child);
      if (bad.isPresent()) {
        return bad;
      }
      if (child.isContainerNode()) {
        stack.push(new Object[] {child.elements(), depth + 1});
      }
    }
    return Optional.empty();
  }

  private static Optional<String> scalarViolation(JsonNode node) {
    if (node.isObject()) {
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        if (names.next().length() > MAX_NAME_CHARS) {
          return Optional.of(
              "a field name is longer than the limit of " + MAX_NAME_CHARS + " characters");
        }
      }
    }
    if (node.isTextual() && node.textValue().length() > MAX_STRING_CHARS) {
      return Optional.of(
          "a string is longer than the limit of " + MAX_STRING_CHARS + " characters");
    }
    if (node.isBigInteger() || node.isBigDecimal()) {
      if (node.asText().length() > MAX_NUMBER_CHARS) {
        return Optional.of(
            "a number is longer than the limit of " + MAX_NUMBER_CHARS + " characters");
      }
    }
    return Optional.empty();
  }
}

package io.hpcwhisk.configuration;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.hpcwhisk.core.time.Durations;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Binds a section of the configuration tree into its record (keys in kebab case: {@code
 * max-chain-depth} is the component {@code maxChainDepth}) and turns every failure into one {@link
 * ConfigException} naming the dotted key:
 *
 * <ul>
 *   <li>unknown key: {@code api.prot: unknown key (did you mean api.port?)}
 *   <li>wrong type: {@code api.port: "abc" is not a whole number}, {@code api.host: a mapping is
 *       not text}
 *   <li>bad duration: {@code harvest.interval: "fast" is not a duration (expected e.g. 5s, 1m)}
 *   <li>range, enum and required values: the records' own {@link Check} messages
 * </ul>
 *
 * Durations are written {@code 90s}, {@code 1h30m}, {@code 500ms} or ISO-8601; booleans {@code
 * true}/{@code false} (also yes/no/on/off); a number never binds to text-less types by truncation
 * ({@code 1.5} is not a whole number).
 */
public final class ConfigBinding {

  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .addModule(new Jdk8Module())
          .addModule(
              new SimpleModule("hpc-whisk-config")
                  .addDeserializer(Duration.class, new DurationText())
                  .addDeserializer(Boolean.class, new LenientBoolean(null))
                  .addDeserializer(boolean.class, new LenientBoolean(false)))
          .build();

  private ConfigBinding() {}

  /**
   * The {@code section} of the file's tree as {@code type}; a missing or empty section binds as
   * {@code {}}.
   */
  public static <T> T section(JsonNode root, String section, Class<T> type) {
    return bind(root.path(section), section, type);
  }

  /**
   * {@code node} as {@code type}; {@code key} is the node's dotted key for messages (empty for the
   * file's root). A missing or null node binds as an empty mapping, so every key takes its default.
   */
  public static <T> T bind(JsonNode node, String key, Class<T> type) {
    JsonNode source =
        node == null || node.isMissingNode() || node.isNull() ? MAPPER.createObjectNode() : node;
    try (JsonParser parser = MAPPER.treeAsTokens(source)) {
      return MAPPER.readValue(parser, type);
    } catch (ConfigException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw translate(e, key, source);
    }
  }

  /**
   * One line for any binding failure below {@code base}; {@code tree} is what was bound (for the
   * bad value).
   */
  static ConfigException translate(Exception e, String base, JsonNode tree) {
    if (e instanceof JsonMappingException m) {
      String key = join(base, m.getPath());
      JsonNode value = tree.at(pointer(m.getPath()));
      Throwable cause = m.getCause();
      if (m instanceof UnrecognizedPropertyException u) {
        Collection<String> known = new TreeSet<>();
        u.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
        String parent = key.lastIndexOf('.') < 0 ? "" : key.substring(0, key.lastIndexOf('.') + 1);
        String nearest = Nearest.to(u.getPropertyName(), known);
        return new ConfigException(
            printable(key),
            "unknown key" + (nearest == null ? "" : " (did you mean " + parent + nearest + "?)"));
      }
      if (cause instanceof ConfigException c) {
        return c.key().isEmpty() ? new ConfigException(key, c.getMessage()) : c;
      }
      if (m instanceof ValueInstantiationException
          && cause instanceof IllegalArgumentException iae) {
        String message = Objects.toString(iae.getMessage(), iae.getClass().getSimpleName());
        return key.isEmpty() || message.startsWith(key + ".") || message.startsWith(key + ":")
            ? new ConfigException(message)
            : new ConfigException(key, message);
      }
      if (cause instanceof InputCoercionException) {
        return new ConfigException(
            key,
            describe(value)
                + " is out of range (expected a whole number "
                + (m.getMessage().contains("long") ? "of 64 bits" : "up to 2147483647")
                + ")");
      }
      if (m instanceof InvalidFormatException f) {
        return new ConfigException(
            key, Check.quote(f.getValue()) + " is not " + expected(f.getTargetType()));
      }
      if (m instanceof MismatchedInputException mi && mi.getTargetType() != null) {
        return new ConfigException(
            key, describe(value) + " is not " + expected(mi.getTargetType()));
      }
      return new ConfigException(key, firstLine(m.getOriginalMessage()));
    }
    if (e instanceof InputCoercionException c) {
      return new ConfigException(base, firstLine(c.getOriginalMessage()));
    }
    if (e instanceof JsonProcessingException p) {
      return new ConfigException(base, firstLine(p.getOriginalMessage()));
    }
    if (e instanceof IllegalArgumentException iae) {
      return new ConfigException(base, Objects.toString(iae.getMessage(), "invalid"));
    }
    return new ConfigException(base, e.toString());
  }

  /**
   * What a value looks like in a message: {@code "text"}, {@code 42}, {@code a mapping}, {@code a
   * list}.
   */
  static String describe(JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return "an empty value";
    }
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    String text = value.asText();
    text = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    return value.isTextual() ? "\"" + printable(text) + "\"" : text;
  }

  /** What a type expects, for messages. */
  static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == Duration.class) {
      return "a duration (expected e.g. 5s, 1m)";
    }
    if (type == String.class || type == Path.class) {
      return "text";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "a mapping";
    }
    if (type.isEnum()) {
      return "one of: "
          + String.join(
              ", ",
              Arrays.stream(type.getEnumConstants())
                  .map(c -> c.toString().toLowerCase(Locale.ROOT))
                  .toList());
    }
    return "a " + type.getSimpleName();
  }

  /**
   * A key or value with control characters shown as {@code ?}, so a hostile file cannot forge log
   * lines.
   */
  static String printable(String text) {
    return text.codePoints()
        .map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }

  private static String join(String base, List<JsonMappingException.Reference> path) {
    StringBuilder key = new StringBuilder(base);
    for (JsonMappingException.Reference r : path) {
      if (r.getFieldName() != null) {
        key.append(key.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        key.append('[').append(r.getIndex()).append(']');
      }
    }
    return key.toString();
  }

  private static String pointer(List<JsonMappingException.Reference> path) {
    StringBuilder p = new StringBuilder();
    for (JsonMappingException.Reference r : path) {
      if (r.getFieldName() != null) {
        p.append('/').append(r.getFieldName().replace("~", "~0").replace("/", "~1"));
      } else if (r.getIndex() >= 0) {
        p.append('/').append(r.getIndex());
      }
    }
    return p.toString();
  }

  private static String firstLine(String message) {
    String m = message == null ? "invalid value" : message;
    return m.lines().findFirst().orElse(m);
  }

  /**
   * Text values of a mapping ({@code harvest.params}, {@code harvest.pilot-job.environment}): a
   * scalar as its text, a list of scalars joined with commas ({@code ladder: [2m, 4m]} is {@code
   * "2m,4m"}), null as empty text.
   */
  public static final class TextOrList extends JsonDeserializer<String> {
    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.START_ARRAY) {
        List<String> parts = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          if (!t.isScalarValue()) {
            return (String) ctxt.handleUnexpectedToken(String.class, p);
          }
          parts.add(p.getText());
        }
        return String.join(",", parts);
      }
      if (!p.currentToken().isScalarValue()) {
        return (String) ctxt.handleUnexpectedToken(String.class, p);
      }
      return p.getText();
    }

    @Override
    public String getNullValue(DeserializationContext ctxt) {
      return "";
    }
  }

  /**
   * Durations as people write them: {@code 90s}, {@code 2m}, {@code 1h30m}, {@code 500ms},
   * ISO-8601.
   */
  static final class DurationText extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (!p.currentToken().isScalarValue()) {
        return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
      }
      String text = p.getText();
      try {
        return Durations.parse(text);
      } catch (IllegalArgumentException | ArithmeticException e) { // 99999999999999999d overflows
        throw InvalidFormatException.from(p, "not a duration", text, Duration.class);
      }
    }
  }

  /**
   * {@code true}/{@code false}, and YAML 1.1's yes/no/on/off (the files have always accepted them).
   */
  static final class LenientBoolean extends JsonDeserializer<Boolean> {
    private final Boolean missing;

    /**
     * {@code missing}: the value of an absent or empty key (false for a primitive, null for a boxed
     * Boolean).
     */
    LenientBoolean(Boolean missing) {
      this.missing = missing;
    }

    @Override
    public Boolean getNullValue(DeserializationContext ctxt) {
      return missing;
    }

    @Override
    public Boolean deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
        return t == JsonToken.VALUE_TRUE;
      }
      if (!t.isScalarValue()) {
        return (Boolean) ctxt.handleUnexpectedToken(Boolean.class, p);
      }
      String text = p.getText();
      return switch (text.strip().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on" -> true;
        case "false", "no", "off" -> false;
        default -> throw InvalidFormatException.from(p, "not a boolean", text, Boolean.class);
      };
    }
  }
}

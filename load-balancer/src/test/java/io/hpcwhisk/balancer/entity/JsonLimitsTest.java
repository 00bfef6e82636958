package io.hpcwhisk.balancer.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.store.PendingActivation;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one set of JSON limits: what {@link Json#readContent} accepts is always written and read
 * back.
 */
class JsonLimitsTest {

  /** {@code {"a":{"a":...{}}}} nesting {@code depth} objects. */
  static String nested(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  static ObjectNode nestedNode(int depth) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode at = root;
    for (int i = 1; i < depth; i++) {
      at = at.putObject("a");
    }
    return root;
  }

  @ParameterizedTest(name = "depth {0}")
  @ValueSource(ints = {1, 2, 199, Json.MAX_CONTENT_DEPTH})
  void contentUpToTheDepthLimitIsAcceptedAndReadsBackFromEveryStoredShape(int depth)
      throws Exception {
    ObjectNode payload =
        (ObjectNode) Json.readContent(nested(depth).getBytes(StandardCharsets.UTF_8));
    assertThat(Json.violation(payload)).isEmpty();

    PendingActivation pending =
        new PendingActivation("a".repeat(32), "ns", "ns", "/ns/x", payload, 1, null, 0);
    assertThat(Json.read(Json.write(pending), PendingActivation.class)).isEqualTo(pending);

    ActivationRecord record =
        new ActivationRecord(
            "a".repeat(32),
            "ns",
            "x",
            "0.0.1",
            "ns",
            1,
            2,
            1,
            ActivationResponse.success(payload),
            List.of(),
            List.of(new KeyValue("path", Json.tree("ns/x"))),
            false,
            null);
    assertThat(Json.read(Json.write(record), ActivationRecord.class).response().result())
        .isEqualTo(payload);

    // an entity's parameter value sits deepest: {"type","entity":{"parameters":[{"key","value":
    // ...}]}}
    ObjectNode stored = Json.MAPPER.createObjectNode().put("type", "action");
    ArrayNode parameters = stored.putObject("entity").putArray("parameters");
    parameters.addObject().put("key", "k").set("value", payload);
    assertThat(Json.read(Json.write(stored), JsonNode.class)).isEqualTo(stored);
  }

  @ParameterizedTest(name = "depth {0}")
  @ValueSource(ints = {Json.MAX_CONTENT_DEPTH + 1, 998, 999, 1000, 1001, 100_000})
  void deeperContentIsRefusedNamingTheLimitNotJacksonsWording(int depth) {
    assertThatThrownBy(() -> Json.readContent(nested(depth).getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            Json.LimitExceeded.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo(
                      "the JSON nests deeper than the limit of 200 levels of objects and arrays");
              assertThat(e.isSize()).isFalse();
            });
  }

  @Test
  void arraysCountAsLevelsToo() {
    String deep = "[".repeat(Json.MAX_CONTENT_DEPTH + 1) + "]".repeat(Json.MAX_CONTENT_DEPTH + 1);
    assertThatThrownBy(() -> Json.readContent(deep.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(Json.LimitExceeded.class);
  }

  @Test
  void aNumberOverItsLimitIsRefusedNamingTheLimit() {
    String big = "{\"n\":" + "9".repeat(Json.MAX_NUMBER_CHARS + 1) + "}";
    assertThatThrownBy(() -> Json.readContent(big.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            Json.LimitExceeded.class,
            e ->
                assertThat(e.getMessage())
                    .isEqualTo("a JSON number is longer than the limit of 1000 characters"));
  }

  @Test
  void aFieldNameOverItsLimitIsRefusedNamingTheLimit() {
    String big = "{\"" + "n".repeat(Json.MAX_NAME_CHARS + 1) + "\":1}";
    assertThatThrownBy(() -> Json.readContent(big.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            Json.LimitExceeded.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo("a JSON field name is longer than the limit of 50000 characters");
              assertThat(e.isSize()).isTrue();
            });
  }

  @Test
  void aStringOverItsLimitIsRefusedAsTooLargeNamingTheLimit() {
    byte[] big =
        ("\"" + "x".repeat(Json.MAX_STRING_CHARS + 1) + "\"").getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> Json.readContent(big))
        .isInstanceOfSatisfying(
            Json.LimitExceeded.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo("a JSON string is longer than the limit of 50331648 characters");
              assertThat(e.isSize()).isTrue();
            });
  }

  @Test
  void aStringAsLongAsTheLargestActionBodyIsReadAndReadBack() throws Exception {
    String code = "x".repeat(45 * 1_048_576);
    JsonNode body =
        Json.readContent(
            ("{\"exec\":{\"code\":\"" + code + "\"}}").getBytes(StandardCharsets.US_ASCII));
    assertThat(Json.read(Json.write(body), JsonNode.class).path("exec").path("code").asText())
        .hasSize(code.length());
  }

  @Test
  void aResultTreeOfAnyDepthIsCheckedWithoutRecursion() {
    assertThat(Json.violation(nestedNode(Json.MAX_CONTENT_DEPTH))).isEmpty();
    assertThat(Json.violation(nestedNode(Json.MAX_CONTENT_DEPTH + 1)))
        .hasValue("it nests deeper than the limit of 200 levels of objects and arrays");
    assertThat(Json.violation(nestedNode(1_000_000))).isPresent();
    ArrayNode arrays = JsonNodeFactory.instance.arrayNode();
    ArrayNode at = arrays;
    for (int i = 1; i < Json.MAX_CONTENT_DEPTH + 1; i++) {
      at = at.addArray();
    }
    assertThat(Json.violation(arrays)).isPresent();
    assertThat(Json.violation(Json.MAPPER.createObjectNode().put("s", "short").put("n", 1)))
        .isEmpty();
    assertThat(
            Json.violation(
                Json.MAPPER
                    .createObjectNode()
                    .put("n", new BigInteger("9".repeat(Json.MAX_NUMBER_CHARS + 1)))))
        .hasValue("a number is longer than the limit of 1000 characters");
  }

  @Test
  void theStoreRefusesToWriteWhatItCouldNotReadBack() {
    PendingActivation tooDeep =
        new PendingActivation(
            "a".repeat(32), "ns", "ns", "/ns/x", nestedNode(Json.MAX_STORED_DEPTH + 1), 1, null, 0);
    assertThatThrownBy(() -> Json.write(tooDeep)).isInstanceOf(UncheckedIOException.class);
  }
}

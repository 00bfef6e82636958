package io.hpcwhisk.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Encodes and decodes the pilot-balancer messages: one JSON object per WebSocket text frame, with
 * {@code "v"} (the protocol version) and {@code "type"}. A message of another major version is
 * refused with a clear error; unknown fields are ignored, so fields may be added within a version.
 *
 * <p>Connection: {@code ws://HOST:PORT}{@value #PATH}, header {@code Authorization: Bearer TOKEN}
 * with the job-scoped token the controller put into the pilot's environment.
 */
public final class PilotProtocol {

  /** The protocol version this code speaks. */
  public static final int VERSION = 1;

  /**
   * The minor version within {@link #VERSION} this code speaks (announced in {@code register} and
   * {@code registered}; additions only, see {@link PilotMessage}).
   */
  public static final int MINOR = 1;

  /**
   * The oldest minor version this code accepts from the other side. Both sides announce their minor
   * ({@code register.minor}, {@code registered.minor}; an absent field reads as 0) and use a later
   * minor's messages only when the other side announced it; a side announcing less than this is
   * refused ({@link #minorRefusal}). Minor 0 (before {@code started}, answer-less {@code cancel}
   * and {@code ping}) was never released: no deployed pilot or balancer speaks it.
   */
  public static final int MIN_MINOR = 1;

  /** The WebSocket path on the balancer. */
  public static final String PATH = "/pilot/v1";

  /**
   * Environment variable with the balancer's WebSocket URL (set by the controller's sbatch script).
   */
  public static final String ENV_BALANCER_URL = "HPC_WHISK_BALANCER_URL";

  /**
   * Environment variable naming the CA certificate file (PEM) a pilot verifies a {@code wss://}
   * balancer's certificate against ({@code balancer.ca-file} of the server; the pilot's own {@code
   * pilot.ca-file}).
   */
  public static final String ENV_BALANCER_CA_FILE = "HPC_WHISK_BALANCER_CA_FILE";

  /**
   * Environment variable with the path of the file holding the pilot's credential (the pilot reads
   * the file and deletes it at start; the credential itself is never in an environment).
   */
  public static final String ENV_TOKEN_FILE = "HPC_WHISK_PILOT_TOKEN_FILE";

  /**
   * The environment variable that once held the credential itself; a pilot that finds it set
   * refuses to start.
   */
  public static final String ENV_TOKEN_RETIRED = "HPC_WHISK_PILOT_TOKEN";

  /**
   * Nesting depth of a message: above the 1,000 levels an action result may have (Jackson's
   * default, which the pilot's result parser uses) plus the message's own levels, so any result a
   * pilot read reaches the balancer, which then holds it to its own, smaller, limits.
   */
  static final int MAX_DEPTH = 1_100;

  private static final ObjectMapper JSON =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                  .streamWriteConstraints(
                      StreamWriteConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                  .build())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .registerModule(new BlackbirdModule());
  private static final ObjectWriter PILOT_WRITER = JSON.writerFor(PilotMessage.class);
  private static final ObjectWriter BALANCER_WRITER = JSON.writerFor(BalancerMessage.class);
  private static final ObjectReader PILOT_READER = JSON.readerFor(PilotMessage.class);
  private static final ObjectReader BALANCER_READER = JSON.readerFor(BalancerMessage.class);

  /** How every message this code writes begins: the version first. */
  private static final String PREFIX = "{\"v\":" + VERSION + ",";

  private PilotProtocol() {}

  /**
   * Why the other side cannot be served when it announces protocol minor {@code minor}: empty from
   * {@link #MIN_MINOR} on (a later minor than {@link #MINOR} is served with this code's messages),
   * else a reason that names the announced minor and the expected ones.
   */
  public static Optional<String> minorRefusal(int minor) {
    return minor >= MIN_MINOR
        ? Optional.empty()
        : Optional.of(
            "protocol minor "
                + minor
                + " is not supported:"
                + " this side speaks "
                + VERSION
                + "."
                + MINOR
                + " and needs minor "
                + MIN_MINOR
                + " or later");
  }

  public static String encode(PilotMessage message) {
    return write(message, PILOT_WRITER);
  }

  public static String encode(BalancerMessage message) {
    return write(message, BALANCER_WRITER);
  }

  public static PilotMessage decodePilotMessage(String text) {
    return read(text, PilotMessage.class, PILOT_READER);
  }

  public static BalancerMessage decodeBalancerMessage(String text) {
    return read(text, BalancerMessage.class, BALANCER_READER);
  }

  /** The shared mapper (thread-safe), for callers that need to build JSON params or results. */
  public static ObjectMapper mapper() {
    return JSON;
  }

  private static String write(Object message, ObjectWriter writer) {
    try {
      // The type id comes first ("type"); the version is put in front of it.
      String typed = writer.writeValueAsString(message);
      return PREFIX + typed.substring(1);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + message, e);
    }
  }

  /**
   * Decodes in one pass when the message begins with this version, as every message this code
   * writes does (the version is checked by the prefix and left out of what is parsed); anything
   * else, or a message that fails on the fast path, goes through the tree so that the error names
   * the problem.
   */
  private static <T> T read(String text, Class<T> type, ObjectReader reader) {
    if (text.startsWith(PREFIX)) {
      try {
        // without the version the type id is the first property, so Jackson need not buffer what
        // precedes it (it would otherwise parse the whole message through a token buffer)
        T message = reader.readValue("{" + text.substring(PREFIX.length()));
        if (message != null) {
          return message;
        }
      } catch (JsonProcessingException | IllegalArgumentException e) {
        // fall through: the tree path below reports it the same way as any other invalid message
      }
    }
    return readTree(text, type);
  }

  private static <T> T readTree(String text, Class<T> type) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a JSON message: " + abbreviate(text), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object message: " + abbreviate(text));
    }
    JsonNode version = node.get("v");
    if (version == null || !version.canConvertToInt() || version.asInt() != VERSION) {
      throw new IllegalArgumentException(
          "unsupported protocol version "
              + version
              + " (this side speaks v"
              + VERSION
              + "): "
              + abbreviate(text));
    }
    ((ObjectNode) node).remove("v");
    try {
      return JSON.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "invalid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A golden sample of the wire format, {@code samples/NAME} next to this class (for example {@code
   * started.json}); both sides' tests decode them.
   */
  public static String sample(String name) {
    try (var in = PilotProtocol.class.getResourceAsStream("samples/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no protocol sample " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}

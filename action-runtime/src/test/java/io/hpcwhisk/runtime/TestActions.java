package io.hpcwhisk.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.testkit.ActionArchives;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Activation inputs for the runtime tests, and the test actions' code from {@link ActionArchives}.
 */
public final class TestActions {

  static final ObjectMapper JSON = new ObjectMapper();

  private TestActions() {}

  static ActivationInput input(String id, String json) {
    try {
      return new ActivationInput(
          id,
          "/guest/test",
          "guest",
          Instant.now().plusSeconds(60),
          "http://127.0.0.1:3233",
          Optional.empty(),
          (ObjectNode) JSON.readTree(json));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ActivationInput input(String json) {
    return input("a" + System.nanoTime(), json);
  }

  /** Base64 of a zip holding the given files (name to text): {@link ActionArchives#zip}. */
  public static String zip(Map<String, String> files) {
    return ActionArchives.zip(files);
  }

  /** Compiles Java sources (class name to source) against Gson: {@link ActionArchives#javaJar}. */
  public static String javaJar(Path dir, Map<String, String> sources) {
    return ActionArchives.javaJar(dir, sources);
  }
}

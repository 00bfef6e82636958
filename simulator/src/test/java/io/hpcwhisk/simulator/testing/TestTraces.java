package io.hpcwhisk.simulator.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the project's shared real traces ({@code shared/traces/...}) from wherever the tests run:
 * walks up from the working directory (the module directory under Maven) looking for {@code
 * shared/traces}, which finds both a {@code shared/} inside the repository and the {@code
 * ../shared} beside the repository root.
 */
public final class TestTraces {

  /** The HPC-Whisk SC22 idle-node log of 17 March 2022 (Cyfronet Prometheus). */
  public static final String FIB_IDLE_NODES = "hpcwhisk-2022-03-17-fib-idle-nodes.txt";

  private TestTraces() {}

  /** The trace file, if {@code shared/traces} can be found. */
  public static Optional<Path> find(String name) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("traces").resolve(name);
      if (Files.isRegularFile(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The trace file; in CI ({@code CI=true}) a missing file fails the test, elsewhere it skips it
   * with the reason.
   */
  public static Path require(String name) {
    Optional<Path> file = find(name);
    String reason =
        "shared/traces/" + name + " not found walking up from " + Path.of("").toAbsolutePath();
    if (file.isEmpty() && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(reason + " (CI=true: the real trace must be present)");
    }
    assumeTrue(file.isPresent(), reason);
    return file.orElseThrow();
  }
}

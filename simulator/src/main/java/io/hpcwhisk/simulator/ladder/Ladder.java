package io.hpcwhisk.simulator.ladder;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * A ladder of pilot lengths in minutes, strictly increasing.
 *
 * @param name the paper's name (A1, A2, A3, B, C1, C2) or {@code custom}
 * @param minutes the lengths, strictly increasing, each &gt; 0
 */
public record Ladder(String name, List<Integer> minutes) {

  /** The ladders the HPC-Whisk paper compared; A1 is the Fib job manager's. */
  public static final Map<String, Ladder> PAPER =
      Map.of(
          "A1", new Ladder("A1", List.of(2, 4, 6, 8, 14, 22, 34, 56, 90)),
          "A2", new Ladder("A2", List.of(2, 4, 8, 12, 20, 34, 54, 88)),
          "A3", new Ladder("A3", List.of(2, 4, 6, 10, 16, 26, 42, 68, 110)),
          "B", new Ladder("B", List.of(2, 4, 8, 16, 32, 64)),
          "C1", new Ladder("C1", IntStream.rangeClosed(1, 10).map(i -> 2 * i).boxed().toList()),
          "C2", new Ladder("C2", IntStream.rangeClosed(1, 60).map(i -> 2 * i).boxed().toList()));

  /** The paper's ladder names in the paper's order. */
  public static final List<String> PAPER_NAMES = List.of("A1", "A2", "A3", "B", "C1", "C2");

  public Ladder {
    Objects.requireNonNull(name, "name");
    minutes = List.copyOf(minutes);
    if (minutes.isEmpty()) {
      throw new IllegalArgumentException("ladder " + name + " needs at least one length");
    }
    for (int i = 0; i < minutes.size(); i++) {
      if (minutes.get(i) <= 0) {
        throw new IllegalArgumentException(
            "ladder " + name + ": length " + minutes.get(i) + " min must be > 0");
      }
      if (i > 0 && minutes.get(i) <= minutes.get(i - 1)) {
        throw new IllegalArgumentException(
            "ladder " + name + ": lengths must increase, got " + minutes);
      }
    }
  }

  /**
   * A paper ladder by name (case-insensitive) or an explicit comma-separated list of minutes such
   * as {@code 2,4,8,16}; the list is sorted and de-duplicated.
   */
  public static Ladder parse(String text) {
    String trimmed = text.strip();
    Ladder named = PAPER.get(trimmed.toUpperCase(Locale.ROOT));
    if (named != null) {
      return named;
    }
    TreeSet<Integer> lengths = new TreeSet<>();
    for (String part : trimmed.split(",")) {
      try {
        lengths.add(Integer.parseInt(part.strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "ladder '"
                + text
                + "': expected one of "
                + PAPER_NAMES
                + " or a comma-separated list of minutes such as 2,4,8,16, found '"
                + part.strip()
                + "'");
      }
    }
    return new Ladder("custom", new ArrayList<>(lengths));
  }

  /** The lengths in samples at {@code samplesPerMinute} (the paper uses 6), ascending. */
  public int[] lengthsInSamples(int samplesPerMinute) {
    if (samplesPerMinute <= 0) {
      throw new IllegalArgumentException("samples per minute must be > 0, got " + samplesPerMinute);
    }
    return minutes.stream().mapToInt(m -> Math.multiplyExact(m, samplesPerMinute)).toArray();
  }

  /** {@code A1 (2,4,6,...,90 min)}. */
  public String describe() {
    return name + " (" + String.join(",", minutes.stream().map(String::valueOf).toList()) + " min)";
  }
}

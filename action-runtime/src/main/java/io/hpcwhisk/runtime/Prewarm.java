package io.hpcwhisk.runtime;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Pre-started runtimes ("stem cells", as OpenWhisk's prewarm containers): how many idle runtimes of
 * each kind a pool keeps started without any action's code, and the pure decisions about them
 * ({@link #fits}, {@link #toStart}); the rules are in docs/pilot.md, "Pre-started runtimes
 * (prewarm)".
 *
 * @param counts stem cells to keep per kind (absent: none)
 * @param memoryMb the memory limit stem cells start with (actions with exactly this limit use them)
 */
public record Prewarm(Map<ActionKind, Integer> counts, int memoryMb) {

  /** The most stem cells of one kind (a typo such as 1000 must not start a thousand processes). */
  public static final int MAX_PER_KIND = 64;

  /** No stem cells. */
  public static final Prewarm NONE = new Prewarm(Map.of(), ActionLimits.DEFAULT_MEMORY_MB);

  public Prewarm {
    EnumMap<ActionKind, Integer> copy = new EnumMap<>(ActionKind.class);
    counts.forEach(
        (kind, count) -> {
          if (kind != ActionKind.NODEJS && kind != ActionKind.PYTHON) {
            throw new IllegalArgumentException(
                "cannot pre-start " + kind + " runtimes (expected nodejs or python)");
          }
          if (count < 0 || count > MAX_PER_KIND) {
            throw new IllegalArgumentException(
                "pre-started "
                    + kind
                    + " runtimes: "
                    + count
                    + " (expected 0 to "
                    + MAX_PER_KIND
                    + ")");
          }
          if (count > 0) {
            copy.put(kind, count);
          }
        });
    counts = Collections.unmodifiableMap(copy);
    if (memoryMb < 16) {
      throw new IllegalArgumentException(
          "the pre-started runtimes' memory must be at least 16 MB, got " + memoryMb);
    }
  }

  /**
   * Reads {@code KIND:COUNT,...} (e.g. {@code nodejs:2,python:1}); blank or {@code none}: no stem
   * cells. Throws {@link IllegalArgumentException} naming the bad part and the expected form.
   */
  public static Prewarm parse(String text, int memoryMb) {
    Map<ActionKind, Integer> counts = new EnumMap<>(ActionKind.class);
    String value = text == null ? "" : text.strip();
    if (!value.isEmpty() && !value.equalsIgnoreCase("none")) {
      for (String part : value.split(",")) {
        String item = part.strip();
        int colon = item.indexOf(':');
        if (colon <= 0 || colon == item.length() - 1) {
          throw new IllegalArgumentException(
              "\"" + item + "\" is not KIND:COUNT (expected e.g. nodejs:2,python:1)");
        }
        String kindName = item.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        ActionKind kind;
        if (kindName.equals("nodejs")) {
          kind = ActionKind.NODEJS;
        } else if (kindName.equals("python")) {
          kind = ActionKind.PYTHON;
        } else {
          throw new IllegalArgumentException(
              "\"" + kindName + "\" cannot be pre-started (expected nodejs or python)");
        }
        int count;
        try {
          count = Integer.parseInt(item.substring(colon + 1).strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "\"" + item + "\": the count is not a whole number (expected e.g. nodejs:2)");
        }
        if (counts.containsKey(kind)) {
          throw new IllegalArgumentException("\"" + kindName + "\" is given twice in " + value);
        }
        counts.put(kind, count);
      }
    }
    return new Prewarm(counts, memoryMb);
  }

  /** Whether any stem cell is kept. */
  public boolean enabled() {
    return !counts.isEmpty();
  }

  /** Stem cells to keep of {@code kind}. */
  public int target(ActionKind kind) {
    return counts.getOrDefault(kind, 0);
  }

  /**
   * Whether a cold start of {@code spec} may take a stem cell: a kind kept here, no image, exactly
   * the stem memory, no environment of its own (set at process start) and no cores or GPUs (pinned
   * at process start).
   */
  public boolean fits(ActionSpec spec) {
    return spec.image() == null
        && target(spec.actionKind()) > 0
        && spec.limits().memoryMb() == memoryMb
        && spec.limits().cores() == 0
        && spec.limits().gpus() == 0
        && spec.env().isEmpty();
  }

  /**
   * How many stem cells of {@code kind} to start now: the target minus those idle and those being
   * started, at most as many as {@code freeMemoryMb} (memory no runtime holds) allows; never
   * negative.
   */
  public int toStart(ActionKind kind, int idle, int starting, int freeMemoryMb) {
    int missing = target(kind) - idle - starting;
    int room = Math.max(0, freeMemoryMb) / memoryMb;
    return Math.max(0, Math.min(missing, room));
  }

  /** {@code nodejs:2,python:1} (or {@code none}), as {@link #parse} reads it. */
  @Override
  public String toString() {
    if (counts.isEmpty()) {
      return "none";
    }
    StringBuilder out = new StringBuilder();
    counts.forEach(
        (kind, count) ->
            out.append(out.length() == 0 ? "" : ",")
                .append(kind == ActionKind.NODEJS ? "nodejs" : "python")
                .append(':')
                .append(count));
    return out.toString();
  }
}

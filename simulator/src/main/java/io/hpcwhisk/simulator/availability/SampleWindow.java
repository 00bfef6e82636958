package io.hpcwhisk.simulator.availability;

/**
 * The samples a replay uses: unix timestamps in {@code [startInclusive, endExclusive)}.
 *
 * @param startInclusive first unix second included
 * @param endExclusive first unix second no longer included
 */
public record SampleWindow(long startInclusive, long endExclusive) {

  /** The window of the HPC-Whisk paper's simulation of 17 March 2022: [1647471600, 1647558000). */
  public static final SampleWindow PAPER = new SampleWindow(1_647_471_600L, 1_647_558_000L);

  public SampleWindow {
    if (endExclusive <= startInclusive) {
      throw new IllegalArgumentException(
          "sample window end " + endExclusive + " must be after its start " + startInclusive);
    }
  }

  /** Every sample of the log. */
  public static SampleWindow all() {
    return new SampleWindow(Long.MIN_VALUE, Long.MAX_VALUE);
  }

  public boolean contains(long epochSecond) {
    return epochSecond >= startInclusive && epochSecond < endExclusive;
  }

  /** {@code [a, b)} or {@code whole log}. */
  public String describe() {
    if (startInclusive == Long.MIN_VALUE && endExclusive == Long.MAX_VALUE) {
      return "whole log";
    }
    return "[" + startInclusive + ", " + endExclusive + ")";
  }
}

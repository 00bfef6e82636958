package io.hpcwhisk.balancer.entity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What an action asks for beyond memory: cores ({@code limits.cpu}, in {@link ActionLimits}) and
 * GPUs (annotation {@code gpus}: OpenWhisk has no field for them), and the checks that refuse an
 * action asking for more than a pilot can offer.
 *
 * <p>Example: annotation {@code gpus: 1} asks for one GPU; {@code gpus: "all"}, {@code -1} or
 * {@code 1000} are refused with 400 naming what was expected. With pilots of 2 cores registered,
 * {@code limits.cpu: 3} is refused naming the 2.
 *
 * <p>Known caveat: the ceiling is the largest pilot seen since the server started (pilots come and
 * go with the cluster's gaps); before any pilot registered only the fixed ceilings apply ({@link
 * ActionLimits#MAX_CPU} cores, {@value #MAX_GPUS} GPUs).
 */
public final class DeviceRequest {

  /** The annotation an action asks for GPUs with. */
  public static final String GPUS = "gpus";

  /** No node holds more GPUs than this. */
  public static final int MAX_GPUS = 64;

  private DeviceRequest() {}

  /** The GPUs the annotations ask for, 0 when absent; the value was checked at creation. */
  public static int gpus(List<KeyValue> annotations) {
    JsonNode v = KeyValue.find(annotations, GPUS);
    return v != null && v.isIntegralNumber() && v.canConvertToInt() && v.intValue() > 0
        ? v.intValue()
        : 0;
  }

  /**
   * The GPUs the annotations ask for, or a 400 naming the bad value: an integer from 0 to {@value
   * #MAX_GPUS} is expected.
   */
  public static int checkedGpus(List<KeyValue> annotations) {
    JsonNode v = KeyValue.find(annotations, GPUS);
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      throw Rejection.badRequest(
          "The annotation gpus must be a whole number of GPUs, 0 or more, not " + v + ".");
    }
    if (v.intValue() > MAX_GPUS) {
      throw Rejection.badRequest(
          "The annotation gpus asks for "
              + v.intValue()
              + " GPUs; the maximum is "
              + MAX_GPUS
              + ".");
    }
    return v.intValue();
  }

  /**
   * Refuses (400) an action that asks for more cores or GPUs than the largest pilot offered; an
   * action asking for GPUs while no GPU pilot was seen is accepted (it waits for one).
   */
  public static void check(int cores, int gpus, Largest largest) {
    if (cores > 0 && largest.cores() > 0 && cores > largest.cores()) {
      throw Rejection.badRequest(
          "limits.cpu "
              + cores
              + " is more than any pilot offers: the maximum is "
              + largest.cores()
              + " cores.");
    }
    if (gpus > 0 && largest.gpus() > 0 && gpus > largest.gpus()) {
      throw Rejection.badRequest(
          "The annotation gpus asks for "
              + gpus
              + " GPUs, more than any GPU pilot holds: the maximum is "
              + largest.gpus()
              + " GPUs.");
    }
  }

  /**
   * The most cores and GPUs one pilot offered.
   *
   * @param cores 0: unknown
   * @param gpus 0: no GPU pilot seen
   */
  public record Largest(int cores, int gpus) {
    public static final Largest UNKNOWN = new Largest(0, 0);
  }

  /** Keeps the largest seen; thread-safe. */
  public static final class Seen {
    private Largest largest = Largest.UNKNOWN;

    public synchronized void record(int cores, int gpus) {
      largest =
          new Largest(
              Math.max(largest.cores(), cores), Math.max(largest.gpus(), Math.max(0, gpus)));
    }

    public synchronized Largest get() {
      return largest;
    }
  }
}

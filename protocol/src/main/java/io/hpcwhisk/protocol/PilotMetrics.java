package io.hpcwhisk.protocol;

import java.util.Map;

/**
 * Counters a pilot reports with every heartbeat; all cumulative since the pilot started, so a lost
 * heartbeat loses nothing. The balancer exports them per pilot.
 *
 * @param activationsByStatus ended activations per {@link ActivationStatus#text()}
 * @param coldStarts activations that started a runtime
 * @param warmStarts activations that reused a warm runtime
 * @param initMillisTotal sum of init times
 * @param runMillisTotal sum of run times (end - start, init excluded)
 * @param runtimesAlive runtime processes alive now
 * @param handedBack activations returned unstarted to the balancer
 * @param drainEvents times the pilot started draining (0 or 1)
 */
public record PilotMetrics(
    Map<String, Long> activationsByStatus,
    long coldStarts,
    long warmStarts,
    long initMillisTotal,
    long runMillisTotal,
    int runtimesAlive,
    long handedBack,
    long drainEvents) {

  public PilotMetrics {
    activationsByStatus = activationsByStatus == null ? Map.of() : Map.copyOf(activationsByStatus);
  }

  public static PilotMetrics empty() {
    return new PilotMetrics(Map.of(), 0, 0, 0, 0, 0, 0, 0);
  }
}

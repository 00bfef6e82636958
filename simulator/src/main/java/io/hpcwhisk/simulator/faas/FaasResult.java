package io.hpcwhisk.simulator.faas;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What happened to the activations of one run.
 *
 * @param arrivals activations that arrived
 * @param succeeded ran to completion on a pilot
 * @param queued had to wait for a pilot at least once
 * @param timedOut waited longer than the queue timeout (or were still waiting when the run ended)
 * @param redispatched times an activation was moved because its pilot left before it could finish
 * @param failed refused for good (larger than any pilot)
 * @param p50LatencyMs median arrival-to-completion time of the succeeded ones
 * @param p90LatencyMs its 90th percentile
 * @param p99LatencyMs its 99th percentile
 * @param maxLatencyMs its maximum
 */
public record FaasResult(
    long arrivals,
    long succeeded,
    long queued,
    long timedOut,
    long redispatched,
    long failed,
    long p50LatencyMs,
    long p90LatencyMs,
    long p99LatencyMs,
    long maxLatencyMs) {

  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("arrivals", arrivals);
    m.put("succeeded", succeeded);
    m.put("successShare", arrivals == 0 ? 0 : succeeded / (double) arrivals);
    m.put("queued", queued);
    m.put("timedOut", timedOut);
    m.put("redispatched", redispatched);
    m.put("failed", failed);
    m.put("p50LatencyMs", p50LatencyMs);
    m.put("p90LatencyMs", p90LatencyMs);
    m.put("p99LatencyMs", p99LatencyMs);
    m.put("maxLatencyMs", maxLatencyMs);
    return m;
  }
}

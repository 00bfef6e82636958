package io.hpcwhisk.simulator.faas;

/**
 * The FaaS layer's settings.
 *
 * @param invocations {@code synthetic:...} or {@code azure:FILE,...} (see {@link
 *     InvocationSources})
 * @param pilotMemoryMb memory each pilot offers for actions (default 4096)
 * @param coldStartMs extra run time without a warm runtime (default 500)
 * @param queueTimeoutMs how long an activation waits for a pilot before timing out (default 60,000,
 *     OpenWhisk's blocking-call limit)
 * @param actionTimeoutMs the actions' time limit used by the deadline-aware router (default 60,000)
 */
public record FaasSettings(
    String invocations,
    int pilotMemoryMb,
    long coldStartMs,
    long queueTimeoutMs,
    long actionTimeoutMs) {

  public static FaasSettings defaults(String invocations) {
    return new FaasSettings(invocations, 4096, 500, 60_000, 60_000);
  }
}

package io.hpcwhisk.simulator.batch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How pilots are injected: which production policy, with which parameters, how often the controller
 * reconciles, and how long a pilot takes from start to ready.
 *
 * @param policy a name known to {@link io.hpcwhisk.core.harvest.HarvestPolicies}
 * @param params the policy's text parameters (missing keys take the policy's defaults)
 * @param controllerInterval seconds between controller passes (SC22's Fib manager: 15 s)
 * @param warmup seconds from a pilot's start to ready (HPC-Whisk measured ~20 s)
 * @param skipUnchanged skip a controller pass when nothing it could see changed since the last one
 *     (see {@link PilotHarvester#controllerPass})
 * @param holdFreedNodes no pilot starts on a node a batch job gave back while batch jobs are
 *     pending until the next backfill pass has had its chance ({@link
 *     io.hpcwhisk.core.harvest.FreedNodeHold})
 * @param holdReservedNodes no pilot starts on a free node a pending batch job's reservation holds
 *     ({@link io.hpcwhisk.core.harvest.ReservedNodeHold})
 * @param reservedHorizon seconds: hold only reservations planned this close; 0: every one
 * @param shortWindows a pilot may enter a window shorter than its shortest limit when the
 *     preemption at its end is cheap ({@link io.hpcwhisk.core.harvest.ShortWindowEntry})
 */
public record SimHarvestConfig(
    String policy,
    Map<String, String> params,
    long controllerInterval,
    long warmup,
    boolean skipUnchanged,
    boolean holdFreedNodes,
    boolean holdReservedNodes,
    long reservedHorizon,
    boolean shortWindows) {

  public SimHarvestConfig(
      String policy, Map<String, String> params, long controllerInterval, long warmup) {
    this(policy, params, controllerInterval, warmup, true, false);
  }

  public SimHarvestConfig(
      String policy,
      Map<String, String> params,
      long controllerInterval,
      long warmup,
      boolean skipUnchanged,
      boolean holdFreedNodes) {
    this(
        policy, params, controllerInterval, warmup, skipUnchanged, holdFreedNodes, false, 0, false);
  }

  public SimHarvestConfig(
      String policy,
      Map<String, String> params,
      long controllerInterval,
      long warmup,
      boolean skipUnchanged) {
    this(policy, params, controllerInterval, warmup, skipUnchanged, false);
  }

  /** The same with the freed-node hold on or off. */
  public SimHarvestConfig withHoldFreedNodes(boolean hold) {
    return new SimHarvestConfig(
        policy,
        params,
        controllerInterval,
        warmup,
        skipUnchanged,
        hold,
        holdReservedNodes,
        reservedHorizon,
        shortWindows);
  }

  /** The same with the reserved-node hold and the short-window entry set. */
  public SimHarvestConfig withWindowRules(boolean holdReserved, long horizon, boolean shortWin) {
    return new SimHarvestConfig(
        policy,
        params,
        controllerInterval,
        warmup,
        skipUnchanged,
        holdFreedNodes,
        holdReserved,
        horizon,
        shortWin);
  }

  public SimHarvestConfig {
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    if (reservedHorizon < 0) {
      throw new IllegalArgumentException(
          "reserved-node hold horizon must be >= 0 s (0: every reservation), got "
              + reservedHorizon);
    }
    if (controllerInterval < 1 || warmup < 0) {
      throw new IllegalArgumentException(
          "controller interval must be >= 1 s and warm-up >= 0 s, got "
              + controllerInterval
              + " and "
              + warmup);
    }
  }
}

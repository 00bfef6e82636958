package io.hpcwhisk.simulator.batch;

import io.hpcwhisk.simulator.faas.FaasSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One {@code simulate schedule} invocation.
 *
 * @param trace {@code swf:PATH}, {@code sacct:PATH} or {@code synthetic:KEY=VALUE,...}
 * @param nodes cluster nodes; 0 takes MaxNodes / procs-per-node from the SWF header
 * @param procsPerNode processors per node for SWF (0: MaxProcs / MaxNodes from the header)
 * @param scheduler scheduler settings except the node count (filled in from {@code nodes})
 * @param policies harvest policies to compare, each against the same baseline
 * @param policyParams per policy name, its text parameters
 * @param controllerInterval seconds between controller passes
 * @param warmup seconds from a pilot's start to ready
 * @param sampleInterval seconds between timeline samples
 * @param out output directory, or null for no files
 * @param plots whether to draw PNGs
 * @param faas the FaaS layer's settings, or null for no activations
 * @param spread how the trace's times are spread inside their seconds, or null for times as
 *     recorded (a spread needs a scheduler counting milliseconds)
 * @param holdFreedNodes hold a node freed by a batch job for one backfill pass while batch jobs are
 *     pending ({@link io.hpcwhisk.core.harvest.FreedNodeHold}), for every policy
 * @param holdReservedNodes hold a free node a pending job's reservation holds ({@link
 *     io.hpcwhisk.core.harvest.ReservedNodeHold}), for every policy
 * @param reservedHorizon seconds: hold only reservations planned this close; 0: every one
 * @param shortWindows let a pilot enter a window shorter than its shortest limit when the
 *     preemption at the window's end is cheap ({@link io.hpcwhisk.core.harvest.ShortWindowEntry})
 */
public record ScheduleRequest(
    String trace,
    int nodes,
    int procsPerNode,
    SchedulerConfig scheduler,
    List<String> policies,
    Map<String, Map<String, String>> policyParams,
    long controllerInterval,
    long warmup,
    long sampleInterval,
    Path out,
    boolean plots,
    FaasSettings faas,
    TraceSpread spread,
    boolean holdFreedNodes,
    boolean holdReservedNodes,
    long reservedHorizon,
    boolean shortWindows) {

  /** A request without the reserved-node hold and the short-window entry. */
  public ScheduleRequest(
      String trace,
      int nodes,
      int procsPerNode,
      SchedulerConfig scheduler,
      List<String> policies,
      Map<String, Map<String, String>> policyParams,
      long controllerInterval,
      long warmup,
      long sampleInterval,
      Path out,
      boolean plots,
      FaasSettings faas,
      TraceSpread spread,
      boolean holdFreedNodes) {
    this(
        trace,
        nodes,
        procsPerNode,
        scheduler,
        policies,
        policyParams,
        controllerInterval,
        warmup,
        sampleInterval,
        out,
        plots,
        faas,
        spread,
        holdFreedNodes,
        false,
        0,
        false);
  }

  /** A request without the freed-node hold. */
  public ScheduleRequest(
      String trace,
      int nodes,
      int procsPerNode,
      SchedulerConfig scheduler,
      List<String> policies,
      Map<String, Map<String, String>> policyParams,
      long controllerInterval,
      long warmup,
      long sampleInterval,
      Path out,
      boolean plots,
      FaasSettings faas,
      TraceSpread spread) {
    this(
        trace,
        nodes,
        procsPerNode,
        scheduler,
        policies,
        policyParams,
        controllerInterval,
        warmup,
        sampleInterval,
        out,
        plots,
        faas,
        spread,
        false);
  }

  public ScheduleRequest {
    if (spread != null && !scheduler.time().equals(TimeBase.MILLIS)) {
      throw new IllegalArgumentException(
          "a trace spread inside its seconds needs a scheduler counting milliseconds, "
              + "got "
              + scheduler.time().ticksPerSecond()
              + " tick(s) per second");
    }
    policies = List.copyOf(policies);
    policyParams = Map.copyOf(policyParams);
  }
}

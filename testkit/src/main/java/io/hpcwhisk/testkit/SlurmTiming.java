package io.hpcwhisk.testkit;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slurm's own timing, as the running cluster reports it ({@code scontrol show config}), and the
 * waits a test derives from it. A test waits for the event itself; these are only the bounds after
 * which it gives up, so they are generous: Slurm on a loaded 2-core machine was seen to start a
 * preemption up to 6 s after the preemptor's submission with {@code sched_interval=1}, and to
 * deliver a signal to a step only once the step's tasks run.
 *
 * @param schedInterval {@code SchedulerParameters=sched_interval} (Slurm's default 60 s): the main
 *     scheduler's period
 * @param bfInterval {@code SchedulerParameters=bf_interval} (default 30 s): the backfill
 *     scheduler's period
 * @param messageTimeout {@code MessageTimeout}: how long slurmctld waits for a node's answer before
 *     it retries
 * @param killWait {@code KillWait}: SIGTERM to SIGKILL when a job is cancelled or its grace time is
 *     over
 * @param preemptMode {@code PreemptMode}, e.g. {@code CANCEL}
 */
public record SlurmTiming(
    Duration schedInterval,
    Duration bfInterval,
    Duration messageTimeout,
    Duration killWait,
    String preemptMode) {

  /**
   * Scheduler passes plus node round trips a test allows Slurm for one decision on a loaded
   * machine.
   */
  static final int ALLOWANCE = 4;

  /** Reads the values from the text of {@code scontrol show config}. */
  public static SlurmTiming parse(String showConfig) {
    String params = field(showConfig, "SchedulerParameters", "");
    return new SlurmTiming(
        Duration.ofSeconds(parameter(params, "sched_interval", 60)),
        Duration.ofSeconds(parameter(params, "bf_interval", 30)),
        Duration.ofSeconds(seconds(field(showConfig, "MessageTimeout", "10 sec"))),
        Duration.ofSeconds(seconds(field(showConfig, "KillWait", "30 sec"))),
        field(showConfig, "PreemptMode", "OFF"));
  }

  /**
   * The longer of the two scheduler periods: within it Slurm considers a new or changed job at
   * least once.
   */
  public Duration schedulerPass() {
    return schedInterval.compareTo(bfInterval) >= 0 ? schedInterval : bfInterval;
  }

  /**
   * How long a test waits for Slurm to act on a submitted or changed job (start it, start a
   * preemption, end a job whose steps have gone): {@value #ALLOWANCE} times a scheduler pass plus a
   * node round trip ({@code MessageTimeout}). 44 s on the local cluster ({@code sched_interval=1},
   * {@code MessageTimeout=10}).
   */
  public Duration scheduling() {
    return schedulerPass().plus(messageTimeout).multipliedBy(ALLOWANCE);
  }

  /**
   * How long a test waits for a signal or cancel sent with scancel to reach a step: node round
   * trips.
   */
  public Duration signalDelivery() {
    return messageTimeout.multipliedBy(2);
  }

  /**
   * How long a test waits for a preempted job to be gone once Slurm has started the preemption: the
   * grace time, KillWait and a node round trip.
   */
  public Duration preemptionEnd(int graceSeconds) {
    return Duration.ofSeconds(graceSeconds).plus(killWait).plus(messageTimeout);
  }

  private static String field(String text, String name, String fallback) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\s*=\\s*(.*?)\\s*$").matcher(text);
    return m.find() ? m.group(1) : fallback;
  }

  private static long parameter(String params, String name, long fallback) {
    Matcher m = Pattern.compile("(?:^|,)" + name + "=(\\d+)").matcher(params);
    return m.find() ? Long.parseLong(m.group(1)) : fallback;
  }

  private static long seconds(String value) {
    Matcher m = Pattern.compile("(\\d+)").matcher(value);
    if (!m.find()) {
      throw new IllegalArgumentException(
          "expected a number of seconds such as '10 sec', got '" + value + "'");
    }
    return Long.parseLong(m.group(1));
  }
}

package io.hpcwhisk.simulator.site;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The Slurm settings of a site that the batch model uses; each is empty when the file does not set
 * it (the model's own default, Slurm's, applies).
 *
 * @param source where they were read (a file, or {@code profile NAME (file)})
 * @param bfInterval {@code SchedulerParameters bf_interval}, seconds
 * @param bfWindowMinutes {@code bf_window}, minutes
 * @param bfResolution {@code bf_resolution}, seconds
 * @param bfMaxJobTest {@code bf_max_job_test}
 * @param graceSeconds how long a preempted pilot may hold its node: the harvest partition's {@code
 *     GraceTime}, else {@code KillWait} under {@code PreemptMode=CANCEL} (Slurm signals, then kills
 *     after KillWait)
 * @param graceFrom which setting gave {@code graceSeconds}
 * @param preemptType {@code PreemptType}, or empty
 * @param preemptMode {@code PreemptMode}, or empty
 */
public record SiteSettings(
    String source,
    OptionalLong bfInterval,
    OptionalLong bfWindowMinutes,
    OptionalLong bfResolution,
    OptionalLong bfMaxJobTest,
    OptionalLong graceSeconds,
    String graceFrom,
    String preemptType,
    String preemptMode) {

  public SiteSettings {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(graceFrom, "graceFrom");
    Objects.requireNonNull(preemptType, "preemptType");
    Objects.requireNonNull(preemptMode, "preemptMode");
  }

  /** One line for the console. */
  public String describe() {
    StringBuilder out = new StringBuilder("site settings from " + source + ":");
    append(out, "bf_interval", bfInterval, " s");
    append(out, "bf_window", bfWindowMinutes, " min");
    append(out, "bf_resolution", bfResolution, " s");
    append(out, "bf_max_job_test", bfMaxJobTest, "");
    if (graceSeconds.isPresent()) {
      out.append(" grace ")
          .append(graceSeconds.getAsLong())
          .append(" s (")
          .append(graceFrom)
          .append(')');
    }
    if (!preemptType.isEmpty() || !preemptMode.isEmpty()) {
      out.append(" preemption ")
          .append(preemptType.isEmpty() ? "?" : preemptType)
          .append('/')
          .append(preemptMode.isEmpty() ? "?" : preemptMode);
    }
    return out.toString();
  }

  private static void append(StringBuilder out, String key, OptionalLong value, String unit) {
    if (value.isPresent()) {
      out.append(' ').append(key).append(' ').append(value.getAsLong()).append(unit);
    }
  }
}

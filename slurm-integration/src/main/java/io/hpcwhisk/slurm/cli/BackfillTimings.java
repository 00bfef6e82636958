package io.hpcwhisk.slurm.cli;

import io.hpcwhisk.core.harvest.BackfillTiming;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads when Slurm's backfill scheduler runs from its own output: {@code bf_interval} from the
 * {@code SchedulerParameters} line of {@code scontrol show config} (Slurm's default 30 s when
 * absent), and the start of the last backfill cycle from {@code sdiag} ("Last cycle when: …
 * (EPOCH)") or from the {@code last_backfill} field that newer Slurm versions put into {@code
 * squeue --json} (22.05 has none).
 */
public final class BackfillTimings {

  private static final Pattern SCHEDULER_PARAMETERS =
      Pattern.compile("(?m)^\\s*SchedulerParameters\\s*=\\s*(.*)$");
  private static final Pattern BF_INTERVAL = Pattern.compile("(?:^|,)\\s*bf_interval=([^,\\s]+)");
  private static final Pattern SDIAG_LAST =
      Pattern.compile("(?m)^\\s*Last cycle when:.*\\((\\d+)\\)\\s*$");
  private static final Pattern JSON_LAST =
      Pattern.compile("\"last_backfill\"\\s*:\\s*(?:(\\d+)|\\{[^}]*?\"number\"\\s*:\\s*(\\d+))");

  private BackfillTimings() {}

  /** {@code bf_interval} from {@code scontrol show config}; Slurm's default when not set. */
  public static Duration bfInterval(String showConfig) {
    Matcher line = SCHEDULER_PARAMETERS.matcher(showConfig);
    if (!line.find()) {
      return BackfillTiming.DEFAULT_INTERVAL;
    }
    Matcher m = BF_INTERVAL.matcher(line.group(1).strip());
    if (!m.find()) {
      return BackfillTiming.DEFAULT_INTERVAL;
    }
    try {
      long seconds = Long.parseLong(m.group(1));
      if (seconds < 1) {
        throw new NumberFormatException();
      }
      return Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "SchedulerParameters bf_interval: expected whole seconds >= 1, found '"
              + m.group(1)
              + "'");
    }
  }

  /** The start of the last backfill cycle from {@code sdiag}; empty before the first cycle. */
  public static Optional<Instant> lastBackfillFromSdiag(String sdiag) {
    int section = sdiag.indexOf("Backfilling stats");
    Matcher m = SDIAG_LAST.matcher(section < 0 ? sdiag : sdiag.substring(section));
    return m.find() ? epoch(m.group(1)) : Optional.empty();
  }

  /**
   * {@code last_backfill} of {@code squeue --json} (a number, or {@code {"set":…,"number":…}});
   * empty if absent.
   */
  public static Optional<Instant> lastBackfillFromSqueueJson(String json) {
    Matcher m = JSON_LAST.matcher(json);
    if (!m.find()) {
      return Optional.empty();
    }
    return epoch(m.group(1) != null ? m.group(1) : m.group(2));
  }

  private static Optional<Instant> epoch(String seconds) {
    long s = Long.parseLong(seconds);
    return s <= 0 ? Optional.empty() : Optional.of(Instant.ofEpochSecond(s));
  }
}

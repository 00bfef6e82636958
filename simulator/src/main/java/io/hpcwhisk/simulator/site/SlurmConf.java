package io.hpcwhisk.simulator.site;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads the scheduling settings the batch model uses from {@code slurm.conf} text: {@code
 * SchedulerParameters} ({@code bf_interval}, {@code bf_window}, {@code bf_resolution}, {@code
 * bf_max_job_test}), {@code KillWait}, {@code PreemptType}, {@code PreemptMode}, and the {@code
 * GraceTime} of the harvest partition ({@code PartitionName} lines). Keys are case-insensitive, as
 * in Slurm; {@code #} starts a comment; a line may hold several {@code Key=Value} pairs; {@code
 * Include} lines and keys the model does not use are ignored. A value that is not what Slurm
 * expects is refused as {@code FILE:LINE: KEY: expected …, found '…'}.
 */
public final class SlurmConf {

  private static final Pattern PAIR = Pattern.compile("\\s+");

  private SlurmConf() {}

  /** The profile {@code NAME} in {@code dir} ({@code NAME.conf}). */
  public static SiteSettings profile(Path dir, String name) {
    if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
      throw new IllegalArgumentException(
          "--site-profile '"
              + name
              + "': expected a profile name (letters, digits, "
              + ". _ -), one of "
              + profiles(dir));
    }
    Path file = dir.resolve(name + ".conf");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "--site-profile '" + name + "': no " + file + "; expected one of " + profiles(dir));
    }
    SiteSettings s = read(file, "whisk");
    return new SiteSettings(
        "profile " + name + " (" + file + ")",
        s.bfInterval(),
        s.bfWindowMinutes(),
        s.bfResolution(),
        s.bfMaxJobTest(),
        s.graceSeconds(),
        s.graceFrom(),
        s.preemptType(),
        s.preemptMode());
  }

  /** The profile names in {@code dir}. */
  public static List<String> profiles(Path dir) {
    try (var files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".conf"))
          .map(n -> n.substring(0, n.length() - 5))
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Reads {@code file}; {@code harvestPartition} names the partition whose GraceTime bounds a
   * pilot's hand-over.
   */
  public static SiteSettings read(Path file, String harvestPartition) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return parse(text, file.toString(), harvestPartition);
  }

  static SiteSettings parse(String text, String source, String harvestPartition) {
    Map<String, String> keys = new LinkedHashMap<>();
    Map<String, Long> lineOf = new LinkedHashMap<>();
    OptionalLong partitionGrace = OptionalLong.empty();
    long maxGrace = -1;
    String maxGracePartition = null;
    long lineNo = 0;
    for (String raw : text.split("\n", -1)) {
      lineNo++;
      int hash = raw.indexOf('#');
      String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
      if (line.isEmpty()) {
        continue;
      }
      Map<String, String> pairs = new LinkedHashMap<>();
      for (String token : PAIR.split(line)) {
        int eq = token.indexOf('=');
        if (eq <= 0) {
          if (token.equalsIgnoreCase("include")) {
            break; // Include FILE: not followed
          }
          throw new IllegalArgumentException(
              source
                  + ":"
                  + lineNo
                  + ": line: expected Key=Value pairs (slurm.conf), "
                  + "found '"
                  + token
                  + "'");
        }
        pairs.put(token.substring(0, eq).toLowerCase(Locale.ROOT), token.substring(eq + 1));
      }
      if (pairs.containsKey("partitionname")) {
        String grace = pairs.get("gracetime");
        if (grace != null) {
          long g = seconds(grace, source, lineNo, "GraceTime");
          if (pairs.get("partitionname").equals(harvestPartition)) {
            partitionGrace = OptionalLong.of(g);
          }
          if (g > maxGrace) {
            maxGrace = g;
            maxGracePartition = pairs.get("partitionname");
          }
        }
        continue;
      }
      if (pairs.containsKey("nodename")) {
        continue;
      }
      for (Map.Entry<String, String> e : pairs.entrySet()) {
        keys.put(e.getKey(), e.getValue());
        lineOf.put(e.getKey(), lineNo);
      }
    }
    Map<String, String> sched = new LinkedHashMap<>();
    long schedLine = lineOf.getOrDefault("schedulerparameters", 0L);
    String schedText = keys.getOrDefault("schedulerparameters", "");
    for (String item : schedText.split(",")) {
      int eq = item.indexOf('=');
      if (eq > 0) {
        sched.put(
            item.substring(0, eq).strip().toLowerCase(Locale.ROOT), item.substring(eq + 1).strip());
      }
    }
    OptionalLong bfInterval = positive(sched.get("bf_interval"), source, schedLine, "bf_interval");
    OptionalLong bfWindow = positive(sched.get("bf_window"), source, schedLine, "bf_window");
    OptionalLong bfResolution =
        positive(sched.get("bf_resolution"), source, schedLine, "bf_resolution");
    OptionalLong bfMaxJobTest =
        positive(sched.get("bf_max_job_test"), source, schedLine, "bf_max_job_test");
    String preemptMode = keys.getOrDefault("preemptmode", "");
    String preemptType = keys.getOrDefault("preempttype", "");
    OptionalLong grace;
    String graceFrom;
    if (partitionGrace.isPresent()) {
      grace = partitionGrace;
      graceFrom = "GraceTime of partition " + harvestPartition;
    } else if (maxGrace >= 0) {
      grace = OptionalLong.of(maxGrace);
      graceFrom = "GraceTime of partition " + maxGracePartition;
    } else if (keys.containsKey("killwait")
        && preemptMode.toUpperCase(Locale.ROOT).contains("CANCEL")) {
      grace =
          OptionalLong.of(
              seconds(keys.get("killwait"), source, lineOf.get("killwait"), "KillWait"));
      graceFrom = "KillWait with PreemptMode=CANCEL and no GraceTime";
    } else {
      grace = OptionalLong.empty();
      graceFrom = "";
    }
    if (keys.containsKey("killwait")) {
      seconds(
          keys.get("killwait"), source, lineOf.get("killwait"), "KillWait"); // validated either way
    }
    return new SiteSettings(
        source,
        bfInterval,
        bfWindow,
        bfResolution,
        bfMaxJobTest,
        grace,
        graceFrom,
        preemptType,
        preemptMode);
  }

  private static OptionalLong positive(String value, String source, long line, String key) {
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      long v = Long.parseLong(value);
      if (v >= 1) {
        return OptionalLong.of(v);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        source
            + ":"
            + line
            + ": SchedulerParameters "
            + key
            + ": expected a whole number >= 1, found '"
            + value
            + "'");
  }

  private static long seconds(String value, String source, long line, String key) {
    try {
      long v = Long.parseLong(value);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        source + ":" + line + ": " + key + ": expected whole seconds >= 0, found '" + value + "'");
  }
}

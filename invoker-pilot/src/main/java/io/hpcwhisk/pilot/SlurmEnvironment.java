package io.hpcwhisk.pilot;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a pilot's identity from the environment Slurm gives a batch job ({@code SLURM_JOB_ID},
 * {@code SLURMD_NODENAME}, {@code SLURM_CPUS_ON_NODE}, {@code SLURM_MEM_PER_NODE}, {@code
 * SLURM_JOB_START_TIME} / {@code SLURM_JOB_END_TIME} where the Slurm version sets them) and, for
 * what is missing, from {@code scontrol show job -o ID} (StartTime, EndTime, TRES).
 *
 * <p>Known caveat: scontrol prints times in the controller's local time without a zone; they are
 * read in this JVM's default zone, which is the same on a cluster's nodes.
 */
public final class SlurmEnvironment {

  private static final Pattern MEM_TRES = Pattern.compile("mem=(\\d+)([KMGT]?)");

  private SlurmEnvironment() {}

  /**
   * Reads the identity from {@code env}; {@code scontrol} runs a command and returns its stdout.
   */
  public static PilotIdentity identity(
      Map<String, String> env, Function<List<String>, String> scontrol, int memoryOverrideMb) {
    String jobId = env.get("SLURM_JOB_ID");
    if (jobId == null || jobId.isBlank()) {
      throw new IllegalArgumentException(
          "SLURM_JOB_ID is not set: hpc-whisk pilot runs inside a Slurm job (outside Slurm, set"
              + " SLURM_JOB_ID, SLURM_JOB_START_TIME and SLURM_JOB_END_TIME, epoch seconds)");
    }
    String node = firstNonBlank(env.get("SLURMD_NODENAME"), hostname());
    Map<String, String> job = null;
    Instant start = epochSeconds(env.get("SLURM_JOB_START_TIME"));
    Instant end = epochSeconds(env.get("SLURM_JOB_END_TIME"));
    if (start == null || end == null) {
      job = parseScontrol(scontrol.apply(List.of("scontrol", "show", "job", "-o", jobId)));
      start = start != null ? start : localTime(job.get("StartTime"), Instant.now());
      end = end != null ? end : localTime(job.get("EndTime"), start.plus(Duration.ofDays(365)));
    }
    int cpus = parseCpus(env.get("SLURM_CPUS_ON_NODE"));
    if (cpus <= 0) {
      cpus = Runtime.getRuntime().availableProcessors();
    }
    int memoryMb =
        memoryOverrideMb > 0 ? memoryOverrideMb : parseInt(env.get("SLURM_MEM_PER_NODE"));
    if (memoryMb <= 0) {
      if (job == null) {
        job = parseScontrol(scontrol.apply(List.of("scontrol", "show", "job", "-o", jobId)));
      }
      memoryMb = memoryFromTres(job.getOrDefault("TRES", ""));
    }
    if (memoryMb <= 0) {
      // A whole-node job without --mem: the node's memory.
      Map<String, String> nodeInfo =
          parseScontrol(scontrol.apply(List.of("scontrol", "show", "node", "-o", node)));
      memoryMb = parseInt(nodeInfo.get("RealMemory"));
    }
    if (memoryMb <= 0) {
      memoryMb = 1024;
    }
    Instant launched = null;
    String t0 = env.get("HPC_WHISK_PILOT_T0");
    if (t0 != null && t0.strip().matches("\\d{10,}")) {
      long nanos = Long.parseLong(t0.strip());
      launched = Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }
    return new PilotIdentity(jobId, node, cpus, memoryMb, start, end, launched);
  }

  /**
   * Runs scontrol (or another command) and returns its stdout; fails with the command and stderr.
   */
  public static String run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).start();
      byte[] out = process.getInputStream().readAllBytes();
      byte[] err = process.getErrorStream().readAllBytes();
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command)
                + " failed with exit "
                + process.exitValue()
                + ": "
                + new String(err, StandardCharsets.UTF_8).strip());
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    }
  }

  /** Parses {@code scontrol show job -o} output: space-separated {@code Key=Value} pairs. */
  static Map<String, String> parseScontrol(String output) {
    Map<String, String> fields = new HashMap<>();
    for (String token : output.strip().split("\\s+")) {
      int eq = token.indexOf('=');
      if (eq > 0) {
        fields.putIfAbsent(token.substring(0, eq), token.substring(eq + 1));
      }
    }
    return fields;
  }

  static int memoryFromTres(String tres) {
    Matcher m = MEM_TRES.matcher(tres);
    if (!m.find()) {
      return 0;
    }
    long value = Long.parseLong(m.group(1));
    return (int)
        switch (m.group(2)) {
          case "K" -> value / 1024;
          case "G" -> value * 1024;
          case "T" -> value * 1024 * 1024;
          default -> value;
        };
  }

  static int parseCpus(String value) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    Matcher m = Pattern.compile("^(\\d+)").matcher(value.strip());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static Instant localTime(String value, Instant fallback) {
    if (value == null || value.isBlank() || value.equals("Unknown") || value.equals("None")) {
      return fallback;
    }
    try {
      return LocalDateTime.parse(value).atZone(ZoneId.systemDefault()).toInstant();
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }

  private static Instant epochSeconds(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.ofEpochSecond(Long.parseLong(value.strip()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static int parseInt(String value) {
    try {
      return value == null ? 0 : Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  private static String firstNonBlank(String a, String b) {
    return a != null && !a.isBlank() ? a : b;
  }
}

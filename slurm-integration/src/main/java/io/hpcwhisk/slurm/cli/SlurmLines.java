package io.hpcwhisk.slurm.cli;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.NodeInfo;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Parses the lean, line-per-record output of {@code squeue -O} and {@code sinfo -o} that the
 * filtered view asks for ({@link #SQUEUE_FIELDS}, {@link #SINFO_FORMAT}), into the same domain
 * types as {@link SlurmJson}. The same command shape works on Slurm 22.05 and 24.11.
 *
 * <p><b>Bounds.</b> A line longer than {@link #MAX_LINE} characters, with the wrong number of
 * fields, or with a value that is not what Slurm prints there (job id, number, time) is skipped and
 * counted in {@link Parsed#garbage()}, with the first such line kept (shortened) for the one log
 * line the caller writes; the other lines are still read. At most {@link #MAX_LINES} lines are
 * read.
 */
public final class SlurmLines {

  /**
   * The {@code squeue -O} fields, each ended by {@code |} except the name, which comes last (a job
   * name may itself contain {@code |}). {@code MinTime} is Slurm's name for {@code --time-min}.
   */
  public static final List<String> SQUEUE_FIELDS =
      List.of(
          "JobID",
          "Partition",
          "QOS",
          "State",
          "NodeList",
          "SchedNodes",
          "ReqNodes",
          "SubmitTime",
          "StartTime",
          "EndTime",
          "TimeLimit",
          "MinTime",
          "Nice",
          "PreemptTime",
          "UserName",
          "Name");

  /** The {@code sinfo --Node -o} format: node, long state with its flag suffix, partition, GRES. */
  public static final String SINFO_FORMAT = "%N|%T|%R|%G";

  /** The longest line read (a node list of a big job stays compact: {@code n[1-2000]}). */
  public static final int MAX_LINE = 16 * 1024;

  /** The most lines read from one answer. */
  public static final int MAX_LINES = 2_000_000;

  private SlurmLines() {}

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * A fresh record mark for one {@code squeue} call: 12 random letters and digits. A job name may
   * hold a newline, and without the mark the text after it would read as a record of its own (a
   * local user could forge a "pilot" of another owner); the mark frames every record instead.
   */
  public static String newMark() {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder sb = new StringBuilder("m");
    for (int i = 0; i < 11; i++) {
      sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  /**
   * The {@code --Format} argument for {@link #SQUEUE_FIELDS} framed by {@code mark}: {@code
   * Cluster:MARK,JobID:|,…,UserName:|,Name:MARK}, so that each record reads {@code
   * CLUSTERMARKid|…|nameMARK}.
   */
  public static String squeueFormat(String mark) {
    StringBuilder sb = new StringBuilder("Cluster:").append(mark);
    for (int i = 0; i < SQUEUE_FIELDS.size(); i++) {
      sb.append(",").append(SQUEUE_FIELDS.get(i));
      sb.append(i == SQUEUE_FIELDS.size() - 1 ? ":" + mark : ":|");
    }
    return sb.toString();
  }

  /**
   * What one answer held: the records, how many lines were skipped as garbage, and the first of
   * them.
   */
  public record Parsed<T>(List<T> records, int lines, int garbage, Optional<String> firstGarbage) {}

  /**
   * The jobs of a {@code squeue --noheader -O} answer ({@link #squeueFormat()}); finished jobs are
   * kept only when {@code keepFinished} says so (our pilots: PREEMPTED tells a preempted pilot from
   * one that ended).
   */
  public static Parsed<Job> jobs(String out, String mark, Predicate<Job> keepFinished) {
    List<Job> jobs = new ArrayList<>();
    Garbage garbage = new Garbage();
    int lines = 0;
    StringBuilder record = null;
    for (String line : lines(out)) {
      lines++;
      if (lines > MAX_LINES) {
        garbage.add("more than " + MAX_LINES + " lines");
        break;
      }
      if (record != null) {
        record.append('\n').append(line); // a job name with a newline in it
        if (record.length() > MAX_LINE) {
          garbage.add(record.toString());
          record = null;
          continue;
        }
        if (!line.endsWith(mark)) {
          continue;
        }
        line = record.toString();
        record = null;
      } else if (line.isBlank()) {
        continue;
      } else if (!startsRecord(line, mark)) {
        garbage.add(line);
        continue;
      } else if (!line.endsWith(mark) || line.indexOf(mark) == line.length() - mark.length()) {
        record = new StringBuilder(line);
        continue;
      }
      try {
        String body = line.substring(line.indexOf(mark) + mark.length());
        Job job = job(body.substring(0, body.length() - mark.length()));
        if (job.state().active() || keepFinished.test(job)) {
          jobs.add(job);
        }
      } catch (IllegalArgumentException e) {
        garbage.add(line);
      }
    }
    if (record != null) {
      garbage.add(record.toString());
    }
    return new Parsed<>(jobs, lines, garbage.count, garbage.first);
  }

  /** Whether {@code line} starts a record: the cluster's name, then the mark, before any '|'. */
  private static boolean startsRecord(String line, String mark) {
    int at = line.indexOf(mark);
    return at >= 0
        && line.substring(0, at).matches("[A-Za-z0-9_.-]*")
        && line.length() >= at + 2 * mark.length();
  }

  /** One {@code squeue -O} record without its frame. */
  static Job job(String line) {
    if (line.length() > MAX_LINE) {
      throw new IllegalArgumentException("line longer than " + MAX_LINE);
    }
    String[] f = line.split("\\|", SQUEUE_FIELDS.size());
    if (f.length != SQUEUE_FIELDS.size()) {
      throw new IllegalArgumentException(
          f.length + " fields, expected " + SQUEUE_FIELDS.size() + " " + SQUEUE_FIELDS);
    }
    JobId id = jobId(f[0]);
    JobState state = SlurmJson.jobState(List.of(f[3].strip()));
    if (state == JobState.OTHER && !f[3].strip().matches("[A-Z_]+")) {
      throw new IllegalArgumentException("job state '" + f[3] + "'");
    }
    Optional<Instant> preempt = time(f[13]);
    if (!state.active() && preempt.isPresent()) {
      state = JobState.PREEMPTED; // as SlurmJson: it left by itself after Slurm preempted it
    }
    List<String> nodes = HostList.expand(nodeList(state == JobState.PENDING ? f[5] : f[4]));
    Optional<Duration> limit = duration(f[10]);
    Optional<Duration> timeMin = duration(f[11]).filter(d -> !d.isZero());
    String qos = nullable(f[2]);
    String user = nullable(f[14]);
    return new Job(
        id,
        f[15],
        nullable(f[1]),
        qos.isEmpty() ? Optional.empty() : Optional.of(qos),
        state,
        nodes,
        HostList.expand(nodeList(f[6])),
        time(f[7]),
        time(f[8]),
        time(f[9]),
        limit,
        timeMin,
        integer(f[12]),
        preempt,
        user.isEmpty() ? Optional.empty() : Optional.of(user));
  }

  /**
   * The nodes of a {@code sinfo --noheader --Node -o} answer ({@link #SINFO_FORMAT}), one per node
   * (partitions merged), and their GPUs into {@code gpus}.
   */
  public static Parsed<NodeInfo> nodes(String out, Map<String, Integer> gpus) {
    Map<String, Set<String>> states = new LinkedHashMap<>();
    Map<String, Set<String>> partitions = new LinkedHashMap<>();
    Garbage garbage = new Garbage();
    int lines = 0;
    for (String line : lines(out)) {
      lines++;
      if (lines > MAX_LINES) {
        garbage.add("more than " + MAX_LINES + " lines");
        break;
      }
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\\|", -1);
      if (line.length() > MAX_LINE
          || f.length != 4
          || !f[0].strip().matches("[A-Za-z0-9._-]+")
          || f[1].isBlank()) {
        garbage.add(line);
        continue;
      }
      String name = f[0].strip();
      states.computeIfAbsent(name, k -> new LinkedHashSet<>()).addAll(nodeStates(f[1]));
      Set<String> parts = partitions.computeIfAbsent(name, k -> new LinkedHashSet<>());
      String partition = nullable(f[2]).replace("*", "");
      if (!partition.isEmpty()) {
        parts.add(partition);
      }
      int count = NodeGres.count(nullable(f[3]));
      if (count > 0) {
        gpus.put(name, count);
      }
    }
    List<NodeInfo> nodes = new ArrayList<>();
    states.forEach(
        (name, s) -> nodes.add(new NodeInfo(name, SlurmJson.nodeState(s), partitions.get(name))));
    return new Parsed<>(nodes, lines, garbage.count, garbage.first);
  }

  /**
   * The raw states of {@code sinfo}'s long state ({@code %T}): base states joined by {@code +}
   * ({@code idle+drain}), and a trailing flag character ({@code *} not responding, {@code ~}
   * powered down, {@code #} powering up, {@code %} powering down, {@code !} power down pending,
   * {@code @} reboot requested, {@code ^} rebooting, {@code $} maintenance, {@code -} planned).
   */
  static Set<String> nodeStates(String raw) {
    Set<String> out = new LinkedHashSet<>();
    String s = raw.strip().toUpperCase(Locale.ROOT);
    while (!s.isEmpty() && "*~#%!@^$-".indexOf(s.charAt(s.length() - 1)) >= 0) {
      char flag = s.charAt(s.length() - 1);
      out.add(
          switch (flag) {
            case '*' -> "NOT_RESPONDING";
            case '~' -> "POWERED_DOWN";
            case '#' -> "POWERING_UP";
            case '%' -> "POWERING_DOWN";
            case '!' -> "POWER_DOWN";
            case '@' -> "REBOOT_REQUESTED";
            case '^' -> "REBOOT_ISSUED";
            case '$' -> "MAINTENANCE";
            default -> "PLANNED";
          });
      s = s.substring(0, s.length() - 1);
    }
    for (String part : s.split("\\+")) {
      if (!part.isBlank()) {
        out.add(part.strip());
      }
    }
    return out;
  }

  private static List<String> lines(String out) {
    return out == null ? List.of() : out.lines().toList();
  }

  /**
   * {@code 123}, or an array task {@code 123_4} / {@code 123_[1-5]} (its array's id: the window it
   * closes is what counts).
   */
  static JobId jobId(String raw) {
    String s = raw.strip();
    int underscore = s.indexOf('_');
    if (underscore > 0) {
      s = s.substring(0, underscore);
    }
    if (!s.matches("\\d{1,18}")) {
      throw new IllegalArgumentException("job id '" + raw + "'");
    }
    return JobId.parse(s);
  }

  private static String nullable(String raw) {
    String s = raw.strip();
    return s.equals("(null)") || s.equals("N/A") ? "" : s;
  }

  private static String nodeList(String raw) {
    String s = nullable(raw);
    return s.startsWith("(") ? "" : s; // "(Resources)" and the like are reasons, not nodes
  }

  /**
   * A time as {@code squeue} prints it: epoch seconds ({@code SLURM_TIME_FORMAT=%s}) or ISO local
   * time; {@code N/A}, {@code Unknown}, {@code None}, 0: empty.
   */
  static Optional<Instant> time(String raw) {
    String s = raw.strip();
    if (s.isEmpty()
        || s.equals("N/A")
        || s.equalsIgnoreCase("Unknown")
        || s.equalsIgnoreCase("None")
        || s.equals("0")) {
      return Optional.empty();
    }
    if (s.matches("\\d{1,12}")) {
      return Optional.of(Instant.ofEpochSecond(Long.parseLong(s)));
    }
    try {
      return Optional.of(LocalDateTime.parse(s).atZone(ZoneId.systemDefault()).toInstant());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("time '" + raw + "'", e);
    }
  }

  /**
   * A Slurm duration: {@code [days-]hours:minutes:seconds}, {@code minutes:seconds}, {@code
   * minutes}; {@code UNLIMITED}, {@code INFINITE}, {@code NOT_SET}, {@code N/A}: empty.
   */
  static Optional<Duration> duration(String raw) {
    String s = raw.strip();
    if (s.isEmpty()
        || s.equalsIgnoreCase("UNLIMITED")
        || s.equalsIgnoreCase("INFINITE")
        || s.equalsIgnoreCase("NOT_SET")
        || s.equals("N/A")) {
      return Optional.empty();
    }
    if (!s.matches("(\\d{1,5}-)?\\d{1,9}(:\\d{1,2}){0,2}")) {
      throw new IllegalArgumentException("duration '" + raw + "'");
    }
    long days = 0;
    int dash = s.indexOf('-');
    if (dash > 0) {
      days = Long.parseLong(s.substring(0, dash));
      s = s.substring(dash + 1);
    }
    String[] p = s.split(":");
    long seconds;
    if (p.length == 3) {
      seconds = Long.parseLong(p[0]) * 3600 + Long.parseLong(p[1]) * 60 + Long.parseLong(p[2]);
    } else if (p.length == 2) {
      seconds =
          dash > 0
              ? Long.parseLong(p[0]) * 3600 + Long.parseLong(p[1]) * 60
              : Long.parseLong(p[0]) * 60 + Long.parseLong(p[1]);
    } else {
      seconds = dash > 0 ? Long.parseLong(p[0]) * 3600 : Long.parseLong(p[0]) * 60;
    }
    return Optional.of(Duration.ofSeconds(days * 86_400 + seconds));
  }

  private static int integer(String raw) {
    String s = raw.strip();
    if (!s.matches("-?\\d{1,10}")) {
      throw new IllegalArgumentException("number '" + raw + "'");
    }
    long v = Long.parseLong(s);
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw new IllegalArgumentException("number '" + raw + "' out of range");
    }
    return (int) v;
  }

  private static final class Garbage {
    int count;
    Optional<String> first = Optional.empty();

    void add(String line) {
      count++;
      if (first.isEmpty()) {
        String t = line.strip().replaceAll("\\p{Cntrl}", "?");
        first = Optional.of(t.length() <= 120 ? t : t.substring(0, 120) + "…");
      }
    }
  }
}

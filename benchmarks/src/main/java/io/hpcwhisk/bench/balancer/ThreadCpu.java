package io.hpcwhisk.bench.balancer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * This JVM's CPU time by thread group, from Linux's {@code /proc/self/task/<tid>/stat} (user +
 * system clock ticks of each thread, JIT compiler and GC threads included), grouped by the thread's
 * name with digits removed ({@code qtp123-45} → {@code qtp-}). On other systems it returns nothing.
 */
final class ThreadCpu {
  private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

  private ThreadCpu() {}

  /** CPU nanoseconds used so far by each group of this JVM's live threads. */
  static Map<String, Long> byGroup() {
    return byGroup("self");
  }

  /** The same for the processes with the given pids, summed by group. */
  static Map<String, Long> byGroup(Iterable<Long> pids) {
    Map<String, Long> out = new HashMap<>();
    for (long pid : pids) {
      byGroup(Long.toString(pid)).forEach((k, v) -> out.merge(k, v, Long::sum));
    }
    return out;
  }

  private static Map<String, Long> byGroup(String process) {
    Map<String, Long> out = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", process, "task"))) {
      tasks.forEach(
          task -> {
            try {
              String stat = Files.readString(task.resolve("stat"));
              int close = stat.lastIndexOf(')');
              String name = stat.substring(stat.indexOf('(') + 1, close).replaceAll("[0-9]+", "");
              String[] f = stat.substring(close + 2).split(" ");
              long ticks =
                  Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
              out.merge(name, ticks * NANOS_PER_TICK, Long::sum);
            } catch (IOException | RuntimeException e) {
              // a thread that ended meanwhile
            }
          });
    } catch (IOException e) {
      return Map.of();
    }
    return out;
  }

  /** What each group used since {@code before} (groups that ended meanwhile are not counted). */
  static Map<String, Long> since(Map<String, Long> before) {
    return minus(byGroup(), before);
  }

  /** {@code now - before} by group. */
  static Map<String, Long> minus(Map<String, Long> now, Map<String, Long> before) {
    Map<String, Long> out = new HashMap<>(now);
    out.replaceAll((k, v) -> v - before.getOrDefault(k, 0L));
    return out;
  }

  /** Microseconds per request by group, largest first, groups under 0.5 us left out. */
  static Map<String, Long> perRequest(Map<String, Long> used, double requests) {
    Map<String, Long> out = new LinkedHashMap<>();
    used.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .filter(e -> e.getValue() / requests / 1000 >= 0.5)
        .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() / requests / 1000)));
    return out;
  }
}

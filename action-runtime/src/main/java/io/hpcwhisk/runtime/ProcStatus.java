package io.hpcwhisk.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a process's resident set size from {@code /proc/PID/status}, and a process tree's from the
 * kernel's per-thread {@code children} lists ({@code /proc/PID/task/TID/children}). The JDK's
 * {@link ProcessHandle#descendants()} reads the parent of every process on the machine instead,
 * which costs ~0.4 ms per call on a busy node, and the memory watchdog asks four times a second per
 * runtime.
 */
final class ProcStatus {

  private ProcStatus() {}

  static long residentKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).replace("kB", "").strip());
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process is gone or /proc is not Linux's
    }
    return 0;
  }

  /** The resident set size of the process and all its descendants. */
  static long treeResidentKb(long pid) {
    long total = 0;
    for (long p : tree(pid)) {
      total += residentKb(p);
    }
    return total;
  }

  /** The process and its descendants (parents before children). */
  static List<Long> tree(long pid) {
    List<Long> out = new ArrayList<>();
    out.add(pid);
    for (int i = 0; i < out.size(); i++) {
      List<Long> children = children(out.get(i));
      if (children == null) { // no children lists in this kernel: ask the JDK
        List<Long> all = new ArrayList<>(List.of(pid));
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> all.add(d.pid())));
        return all;
      }
      out.addAll(children);
    }
    return out;
  }

  /**
   * Direct children from every thread's list; empty when the process is gone; null when
   * unsupported.
   */
  private static List<Long> children(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    List<Long> out = new ArrayList<>();
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) threads::iterator) {
        Path list = task.resolve("children");
        if (!Files.exists(list)) {
          return Files.exists(task) ? null : out;
        }
        for (String child : Files.readString(list).trim().split("\\s+")) {
          if (!child.isEmpty()) {
            out.add(Long.parseLong(child));
          }
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process (or a thread) ended meanwhile: what was read is all there is
    }
    return out;
  }
}

package io.hpcwhisk.pilot.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's resident set size from {@code /proc/PID/status}. */
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
}

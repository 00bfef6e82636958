package io.hpcwhisk.localcluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What this process's mount namespace has mounted, from {@code /proc/self/mountinfo}. */
public final class Mounts {

  private Mounts() {}

  /** Mount points at or below {@code dir} in the caller's mount namespace. */
  public static List<String> under(Path dir) {
    return under(Path.of("/proc/self/mountinfo"), dir);
  }

  /** Mount points at or below {@code dir} listed in the given {@code mountinfo} file. */
  static List<String> under(Path mountinfo, Path dir) {
    String prefix = dir.toAbsolutePath().normalize().toString();
    List<String> found = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(mountinfo)) {
        String[] fields = line.split(" ");
        if (fields.length > 4) {
          String point = unescape(fields[4]);
          if (point.equals(prefix) || point.startsWith(prefix + "/")) {
            found.add(point);
          }
        }
      }
    } catch (IOException e) {
      throw new LocalClusterException("cannot read " + mountinfo + ": " + e.getMessage(), e);
    }
    return found;
  }

  /** mountinfo escapes space, tab, newline and backslash as octal ({@code \040}). */
  static String unescape(String field) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        try {
          out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
          i += 3;
          continue;
        } catch (NumberFormatException | StringIndexOutOfBoundsException ignored) {
          // not an escape: keep the backslash
        }
      }
      out.append(c);
    }
    return out.toString();
  }
}

package io.hpcwhisk.slurm.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Expands Slurm host lists: {@code n[1-3,5],gpu01} becomes n1, n2, n3, n5, gpu01; zero padding is
 * kept ({@code c[08-10]} gives c08, c09, c10). One bracket group per name, as Slurm prints for flat
 * node names.
 */
public final class HostList {

  private HostList() {}

  public static List<String> expand(String hostList) {
    List<String> out = new ArrayList<>();
    if (hostList == null || hostList.isBlank() || hostList.equals("(null)")) {
      return out;
    }
    for (String item : splitTopLevel(hostList.strip())) {
      int open = item.indexOf('[');
      if (open < 0) {
        out.add(item);
        continue;
      }
      int close = item.indexOf(']', open);
      if (close < 0) {
        throw new IllegalArgumentException("unbalanced brackets in host list '" + hostList + "'");
      }
      String prefix = item.substring(0, open);
      String suffix = item.substring(close + 1);
      for (String range : item.substring(open + 1, close).split(",")) {
        String[] bounds = range.split("-", 2);
        try {
          long from = Long.parseLong(bounds[0]);
          long to = bounds.length == 2 ? Long.parseLong(bounds[1]) : from;
          int width = bounds[0].length();
          for (long i = from; i <= to; i++) {
            out.add(prefix + String.format("%0" + width + "d", i) + suffix);
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "bad range '" + range + "' in host list '" + hostList + "'", e);
        }
      }
    }
    return out;
  }

  private static List<String> splitTopLevel(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(text.substring(start));
    return parts.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}

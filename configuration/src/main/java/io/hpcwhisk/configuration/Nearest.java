package io.hpcwhisk.configuration;

import java.util.Collection;
import java.util.Comparator;

/** The known key nearest to a misspelt one (edit distance, ties broken alphabetically). */
final class Nearest {

  private Nearest() {}

  static String to(String word, Collection<String> known) {
    return known.stream()
        .min(
            Comparator.comparingInt((String k) -> distance(word, k))
                .thenComparing(Comparator.naturalOrder()))
        .orElse(null);
  }

  /**
   * Levenshtein distance, capped inputs (keys are short; a hostile key is cut to 64 characters).
   */
  static int distance(String a, String b) {
    a = a.length() > 64 ? a.substring(0, 64) : a;
    b = b.length() > 64 ? b.substring(0, 64) : b;
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}

package io.hpcwhisk.simulator.trace.idlelog;

import java.util.BitSet;

/**
 * Parses Prometheus node names into node ids: {@code p} plus four digits ({@code p0016} is node
 * 16), and Slurm's bracket lists of them ({@code p[0016,0123-0125]} is nodes 16, 123, 124, 125). A
 * comma-separated list may mix both forms ({@code p0001,p[0002-0004]}).
 */
public final class NodeNames {

  /** What a node list must look like, for error messages. */
  public static final String EXPECTED =
      "node names 'p' + four digits (p0016) or a bracket list (p[0016,0123-0125]), comma-separated";

  private NodeNames() {}

  /**
   * A node list is malformed; carries what was found for the reader's {@code TraceFormatException}.
   */
  public static final class MalformedNodeList extends RuntimeException {
    private final String found;

    MalformedNodeList(String found) {
      super("malformed node list near '" + found + "'", null, false, false);
      this.found = found;
    }

    /** The offending part of the list. */
    public String found() {
      return found;
    }
  }

  /**
   * Adds every node of a comma-separated list to {@code into}; an empty or blank list adds nothing.
   *
   * @return how many node names the list held (counting duplicates)
   * @throws MalformedNodeList naming the part that is neither form
   */
  public static int parseList(String list, BitSet into) {
    String text = list.strip();
    if (text.isEmpty()) {
      return 0;
    }
    int count = 0;
    int start = 0;
    int depth = 0;
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : ',';
      if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth--;
      } else if (i == text.length() || (c == ',' && depth == 0)) {
        count += parseOne(text.substring(start, i).strip(), into);
        start = i + 1;
      }
    }
    return count;
  }

  private static int parseOne(String name, BitSet into) {
    if (name.length() == 5 && name.charAt(0) == 'p') {
      into.set(digits4(name, 1, name));
      return 1;
    }
    if (name.length() > 3 && name.startsWith("p[") && name.endsWith("]")) {
      int count = 0;
      for (String part : name.substring(2, name.length() - 1).split(",", -1)) {
        int dash = part.indexOf('-');
        if (dash < 0) {
          if (part.length() != 4) {
            throw new MalformedNodeList(name);
          }
          into.set(digits4(part, 0, name));
          count++;
        } else {
          if (dash != 4 || part.length() != 9) {
            throw new MalformedNodeList(name);
          }
          int from = digits4(part, 0, name);
          int to = digits4(part, 5, name);
          if (to < from) {
            throw new MalformedNodeList(name);
          }
          into.set(from, to + 1);
          count += to - from + 1;
        }
      }
      return count;
    }
    throw new MalformedNodeList(name);
  }

  private static int digits4(String text, int at, String whole) {
    int value = 0;
    for (int i = at; i < at + 4; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw new MalformedNodeList(whole);
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}

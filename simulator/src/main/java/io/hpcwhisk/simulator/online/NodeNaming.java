package io.hpcwhisk.simulator.online;

import java.util.Arrays;

/**
 * Node ids of the idle-node log and the names a controller sees: id 16 is {@code p0016} (Prometheus
 * names).
 */
final class NodeNaming {

  private String[] names = new String[0];

  /**
   * {@code p} + the id zero-padded to four digits; names are cached (the snapshot asks for them
   * every sample).
   */
  String name(int id) {
    if (id >= names.length) {
      names = Arrays.copyOf(names, Math.max(id + 1, names.length * 2));
    }
    String name = names[id];
    if (name == null) {
      String digits = Integer.toString(id);
      name = "p" + "0000".substring(Math.min(4, digits.length())) + digits;
      names[id] = name;
    }
    return name;
  }

  /** The id of a name this naming produced, or -1 for any other name. */
  int id(String name) {
    if (name.length() < 5 || name.charAt(0) != 'p') {
      return -1;
    }
    try {
      return Integer.parseInt(name.substring(1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}

package io.hpcwhisk.balancer.entity;

/**
 * OpenWhisk's entity versions: {@code 0.0.1} for a new entity, the patch number bumped on update.
 */
public final class SemVer {
  public static final String INITIAL = "0.0.1";

  private SemVer() {}

  public static String bump(String version) {
    if (version == null) {
      return INITIAL;
    }
    String[] parts = version.split("\\.");
    if (parts.length != 3) {
      return INITIAL;
    }
    try {
      return parts[0] + "." + parts[1] + "." + (Long.parseLong(parts[2]) + 1);
    } catch (NumberFormatException e) {
      return INITIAL;
    }
  }
}

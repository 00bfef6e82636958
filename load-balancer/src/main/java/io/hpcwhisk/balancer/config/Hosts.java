package io.hpcwhisk.balancer.config;

import io.hpcwhisk.configuration.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * The address lists of {@code api.host} and {@code balancer.host}. A class of its own, not a static
 * method of {@link ServerConfig}: the nested records' constructors call it, and calling a static
 * method of the outer record would initialise {@link ServerConfig} while {@code Api.DEFAULT} is
 * still being built, leaving {@code ServerConfig.DEFAULT.api()} null.
 */
final class Hosts {

  private Hosts() {}

  /**
   * Splits a comma-separated list of addresses: each an IPv4 or IPv6 address or a host name, none
   * repeated, at least one.
   */
  static List<String> of(String key, String text) {
    List<String> hosts = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      String h = part.strip();
      if (h.startsWith("[") && h.endsWith("]")) {
        h = h.substring(1, h.length() - 1);
      }
      if (h.isEmpty() || !h.matches("[A-Za-z0-9.:%_-]+")) {
        throw new ConfigException(
            key,
            "'"
                + text
                + "': expected one or more addresses separated by"
                + " commas (e.g. 127.0.0.1,10.20.0.1), got the entry '"
                + part.strip()
                + "'");
      }
      if (hosts.contains(h)) {
        throw new ConfigException(key, "'" + text + "' names " + h + " twice");
      }
      hosts.add(h);
    }
    return List.copyOf(hosts);
  }
}

package io.hpcwhisk.configuration;

/**
 * A configuration value or file that cannot be used: one line for the user, naming the dotted key
 * ({@code harvest.interval}) and what was expected. The command line reports it without a stack
 * trace and exits 2.
 */
public final class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String key;

  /** A problem with one key: the message reads {@code key: problem}. */
  public ConfigException(String key, String problem) {
    super(key.isEmpty() ? problem : key + ": " + problem);
    this.key = key;
  }

  /** A problem with the whole file (unreadable, too large, not YAML, unsafe permissions). */
  public ConfigException(String message) {
    super(message);
    this.key = "";
  }

  /** The dotted key, or empty for a problem with the whole file. */
  public String key() {
    return key;
  }
}

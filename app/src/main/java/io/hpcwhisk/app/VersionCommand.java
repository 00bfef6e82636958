package io.hpcwhisk.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code hpc-whisk version}: prints the version of HPC-Whisk and of the Java runtime it runs on.
 */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = "Print the HPC-Whisk and Java versions.")
final class VersionCommand implements Runnable {

  @Override
  public void run() {
    for (String line : new Provider().getVersion()) {
      System.out.println(line);
    }
  }

  /** The version as the build wrote it into {@code hpc-whisk-version.properties}. */
  static String hpcWhiskVersion() {
    try (InputStream in =
        VersionCommand.class.getResourceAsStream("/hpc-whisk-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read hpc-whisk-version.properties", e);
    }
  }

  /** Lets {@code hpc-whisk --version} print the same lines. */
  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "hpc-whisk " + hpcWhiskVersion(),
        "java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}

package io.hpcwhisk.app;

import io.hpcwhisk.configuration.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure inside a subcommand into one clear line on stderr and exit code 1, or 2 for a
 * configuration error (a bad file or option value: {@link ConfigException}, the same code as a bad
 * command line). Users get the message, not a stack trace; {@code HPC_WHISK_DEBUG=1} prints the
 * trace for developers.
 */
final class UserErrorHandler implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message);
    if ("1".equals(System.getenv("HPC_WHISK_DEBUG"))) {
      ex.printStackTrace(cmd.getErr());
    }
    return isConfigError(ex) ? EXIT_CONFIG : 1;
  }

  /** The exit code of a configuration error, as picocli's for a bad command line. */
  static final int EXIT_CONFIG = 2;

  private static boolean isConfigError(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof ConfigException) {
        return true;
      }
    }
    return false;
  }
}

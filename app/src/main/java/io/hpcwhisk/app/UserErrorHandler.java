package io.hpcwhisk.app;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure inside a subcommand into one clear line on stderr and exit code 1. Users get the
 * message, not a stack trace; {@code HPC_WHISK_DEBUG=1} prints the trace for developers.
 */
final class UserErrorHandler implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message);
    if ("1".equals(System.getenv("HPC_WHISK_DEBUG"))) {
      ex.printStackTrace(cmd.getErr());
    }
    return 1;
  }
}

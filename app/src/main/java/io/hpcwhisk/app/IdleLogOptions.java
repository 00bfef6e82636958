package io.hpcwhisk.app;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options of every command that replays an idle-node log ({@code @Mixin}): the log and the seed.
 */
final class IdleLogOptions {

  @Option(
      names = "--idle-log",
      required = true,
      paramLabel = "FILE",
      description = "HPC-Whisk idle-node log (plain or .gz).")
  Path idleLog;

  @Option(names = "--seed", defaultValue = "1", description = "Seed for every random choice.")
  long seed;
}

package io.hpcwhisk.app;

import io.hpcwhisk.bench.simulator.ReplayBenchmark;
import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.ladder.Ladder;
import io.hpcwhisk.simulator.replay.ReplayMode;
import io.hpcwhisk.simulator.replay.ReplayRequest;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hpc-whisk simulate bench}: times replays of an idle-node log after JVM start-up and prints
 * the figures.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Time the replay of an idle-node log: the first replay after JVM start-up, then warm"
          + " repetitions.",
      "Each replay reads and parses the whole file; no outputs are written."
    })
final class SimulateBenchCommand implements Runnable {

  @Mixin IdleLogOptions input;

  @Option(names = "--ladder", defaultValue = "A1", description = "Clairvoyant ladder to replay.")
  String ladder;

  @Option(
      names = "--policy",
      paramLabel = "NAME",
      description = "Benchmark an online replay with this policy instead of the ladder.")
  String policy;

  @Option(names = "--warmup-seconds", defaultValue = "20", description = "Online: warm-up seconds.")
  double warmupSeconds;

  @Option(
      names = "--iterations",
      defaultValue = "20",
      description = "Warm repetitions after the first replay.")
  int iterations;

  @Override
  public void run() {
    ReplayMode mode =
        policy == null
            ? new ReplayMode.Clairvoyant(Ladder.parse(ladder), 2, 6)
            : new ReplayMode.Online(
                policy, Map.of(), warmupSeconds, 30, ReplayMode.Placement.LOWEST_ID);
    ReplayRequest request =
        new ReplayRequest(input.idleLog, SampleWindow.all(), mode, input.seed, null, false);
    ReplayBenchmark.print(ReplayBenchmark.measure(request, iterations), System.out);
  }
}

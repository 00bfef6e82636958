package io.hpcwhisk.slurm.cli;

import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.harvest.PilotShape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Submits pilots with {@code sbatch} and cancels them with {@code scancel}.
 *
 * <p>Time limits are passed in whole minutes, Slurm's granularity: a limit is rounded <i>down</i> (never past the
 * window it was shaped for) and is at least one minute. Pilots are named {@code PREFIX-<minutes>m} or
 * {@code PREFIX-<minutes>m-<node>} when targeted, and always ask for one whole node.
 */
public final class SlurmCliPilotLauncher implements PilotLauncher {

  private final SlurmCli cli;
  private final PilotJobSettings settings;

  public SlurmCliPilotLauncher(SlurmCli cli, PilotJobSettings settings) {
    this.cli = cli;
    this.settings = settings;
  }

  @Override
  public JobId submit(PilotShape shape) {
    return cli.sbatch(options(shape), settings.script());
  }

  @Override
  public void cancel(JobId id) {
    cli.scancel(id);
  }

  /** The {@code sbatch} options for a shape (without {@code --parsable}). */
  public List<String> options(PilotShape shape) {
    long minutes = minutes(shape.time());
    List<String> args = new ArrayList<>();
    args.add("--job-name=" + settings.namePrefix() + "-" + minutes + "m"
        + shape.targetNode().map(n -> "-" + n).orElse(""));
    args.add("--partition=" + shape.partition());
    shape.qos().ifPresent(q -> args.add("--qos=" + q));
    settings.account().ifPresent(a -> args.add("--account=" + a));
    args.add("--nodes=1");
    args.add("--time=" + minutes);
    shape.timeMin().ifPresent(m -> args.add("--time-min=" + Math.min(minutes, minutes(m))));
    if (shape.nice() > 0) {
      args.add("--nice=" + shape.nice());
    }
    shape.targetNode().ifPresent(n -> args.add("--nodelist=" + n));
    settings.signal().ifPresent(s -> args.add("--signal=" + s));
    args.add("--output=" + settings.output());
    if (!settings.environment().isEmpty()) {
      StringBuilder export = new StringBuilder("--export=ALL");
      new TreeMap<>(settings.environment()).forEach((k, v) -> export.append(',').append(k).append('=').append(v));
      args.add(export.toString());
    }
    args.addAll(settings.extraOptions());
    return args;
  }

  private static long minutes(Duration d) {
    return Math.max(1, d.toMinutes());
  }
}

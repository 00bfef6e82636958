package io.hpcwhisk.slurm.cli;

import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.harvest.PilotShape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Submits pilots with {@code sbatch} and cancels them with {@code scancel}.
 *
 * <p>Time limits are passed in whole minutes, Slurm's granularity: a limit is rounded <i>down</i> (never past the
 * window it was shaped for) and is at least one minute. Pilots are named {@code PREFIX-<minutes>m} or
 * {@code PREFIX-<minutes>m-<node>} when targeted, and always ask for one whole node.
 *
 * <p>A job environment supplier (asked once per submission) adds {@code --export=ALL,NAME=VALUE,...}: the server
 * passes each pilot the balancer's address and a fresh job-scoped credential this way. Values must not contain
 * commas (sbatch's separator). Known caveat: the values are on sbatch's command line for the instant it runs.
 */
public final class SlurmCliPilotLauncher implements PilotLauncher {

  private final SlurmCli cli;
  private final PilotJobSettings settings;
  private final Supplier<Map<String, String>> jobEnvironment;

  public SlurmCliPilotLauncher(SlurmCli cli, PilotJobSettings settings) {
    this(cli, settings, Map::of);
  }

  /** A launcher that exports {@code jobEnvironment.get()} (asked per submission) into every pilot job. */
  public SlurmCliPilotLauncher(SlurmCli cli, PilotJobSettings settings,
      Supplier<Map<String, String>> jobEnvironment) {
    this.cli = cli;
    this.settings = settings;
    this.jobEnvironment = jobEnvironment;
  }

  @Override
  public JobId submit(PilotShape shape) {
    List<String> options = new ArrayList<>(options(shape));
    Map<String, String> perJob = jobEnvironment.get();
    if (!perJob.isEmpty()) {
      // one --export with the configured environment and this job's (sbatch honours only the last --export)
      Map<String, String> env = new TreeMap<>(settings.environment());
      env.putAll(perJob);
      options.removeIf(o -> o.startsWith("--export="));
      exportOption(env).ifPresent(options::add);
    }
    return cli.sbatch(options, settings.script());
  }

  /** {@code --export=ALL,K=V,...} for a non-empty environment (names sorted, so the option is stable). */
  static java.util.Optional<String> exportOption(Map<String, String> env) {
    if (env.isEmpty()) {
      return java.util.Optional.empty();
    }
    StringBuilder sb = new StringBuilder("--export=ALL");
    new TreeMap<>(env).forEach((k, v) -> {
      if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("pilot job environment name must be a shell name, got '" + k + "'");
      }
      if (v.indexOf(',') >= 0 || v.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("pilot job environment value of " + k
            + " must not contain ',' or a line break, got '" + v + "'");
      }
      sb.append(',').append(k).append('=').append(v);
    });
    return java.util.Optional.of(sb.toString());
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

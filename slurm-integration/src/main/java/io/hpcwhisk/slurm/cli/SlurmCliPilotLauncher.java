package io.hpcwhisk.slurm.cli;

import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.harvest.PilotShape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Submits pilots with {@code sbatch} and cancels them with {@code scancel}.
 *
 * <p>Time limits are passed in whole minutes, Slurm's granularity: a limit is rounded <i>down</i>
 * (never past the window it was shaped for) and is at least one minute. Pilots are named {@code
 * PREFIX-<minutes>m} or {@code PREFIX-<minutes>m-<node>} when targeted, and always ask for one
 * whole node.
 *
 * <p>A {@link PilotJobHandOff} (asked once per submission) adds {@code
 * --export=ALL,NAME=VALUE,...}: the server passes each pilot the balancer's address and the path of
 * its credential file this way, never the credential (every local user can read sbatch's command
 * line while it runs). Once {@code sbatch} answers, the hand-off is told the job id and time limit
 * (the server binds the credential to the job); when it fails, the hand-off is told so (the
 * credential file is deleted). Values must not contain commas (sbatch's separator).
 */
public final class SlurmCliPilotLauncher implements PilotLauncher {

  private final SlurmCli cli;
  private final PilotJobSettings settings;
  private final PilotJobHandOff handOff;

  public SlurmCliPilotLauncher(SlurmCli cli, PilotJobSettings settings) {
    this(cli, settings, PilotJobHandOff.NONE);
  }

  /**
   * A launcher that exports {@code jobEnvironment.get()} (asked per submission) into every pilot
   * job.
   */
  public SlurmCliPilotLauncher(
      SlurmCli cli, PilotJobSettings settings, Supplier<Map<String, String>> jobEnvironment) {
    this(cli, settings, PilotJobHandOff.exporting(jobEnvironment));
  }

  private final NodeGres gres;

  /** A launcher that prepares every pilot job with {@code handOff}. */
  public SlurmCliPilotLauncher(SlurmCli cli, PilotJobSettings settings, PilotJobHandOff handOff) {
    this(cli, settings, handOff, new NodeGres());
  }

  /**
   * As {@link #SlurmCliPilotLauncher(SlurmCli, PilotJobSettings, PilotJobHandOff)}; a pilot
   * targeted at a node with GPUs in {@code gres} holds them all ({@code --gres=gpu:N}).
   */
  public SlurmCliPilotLauncher(
      SlurmCli cli, PilotJobSettings settings, PilotJobHandOff handOff, NodeGres gres) {
    this.cli = cli;
    this.settings = settings;
    this.handOff = handOff;
    this.gres = gres;
  }

  @Override
  public JobId submit(PilotShape shape) {
    List<String> options = new ArrayList<>(options(shape));
    PilotJobHandOff.Prepared prepared = handOff.prepare();
    JobId id;
    try {
      Map<String, String> perJob = prepared.environment();
      if (!perJob.isEmpty()) {
        // one --export with the configured environment and this job's (sbatch honours only the last
        // --export)
        Map<String, String> env = new TreeMap<>(settings.environment());
        env.putAll(perJob);
        options.removeIf(o -> o.startsWith("--export="));
        exportOption(env).ifPresent(options::add);
      }
      id = cli.sbatch(options, settings.script());
    } catch (RuntimeException e) {
      prepared.failed();
      throw e;
    }
    try {
      prepared.submitted(id, Duration.ofMinutes(minutes(shape.time())));
    } catch (RuntimeException e) {
      // its pilot could not register without the binding: take the job back rather than leave it
      // idle
      prepared.failed();
      cli.scancel(id);
      throw SlurmCommandException.notRun(
          List.of("sbatch"),
          "submitted job "
              + id
              + " but could not bind its credential (cancelled it): "
              + e.getMessage(),
          e);
    }
    return id;
  }

  /**
   * {@code --export=ALL,K=V,...} for a non-empty environment (names sorted, so the option is
   * stable).
   */
  public static Optional<String> exportOption(Map<String, String> env) {
    if (env.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder sb = new StringBuilder("--export=ALL");
    new TreeMap<>(env)
        .forEach(
            (k, v) -> {
              if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException(
                    "pilot job environment name must be a shell name, got '" + k + "'");
              }
              if (v.indexOf(',') >= 0 || v.indexOf('\n') >= 0) {
                throw new IllegalArgumentException(
                    "pilot job environment value of "
                        + k
                        + " must not contain ',' or a line break, got '"
                        + v
                        + "'");
              }
              sb.append(',').append(k).append('=').append(v);
            });
    return Optional.of(sb.toString());
  }

  @Override
  public void cancel(JobId id) {
    cli.scancel(id);
  }

  /** The {@code sbatch} options for a shape (without {@code --parsable}). */
  public List<String> options(PilotShape shape) {
    long minutes = minutes(shape.time());
    List<String> args = new ArrayList<>();
    args.add(
        "--job-name="
            + settings.namePrefix()
            + "-"
            + minutes
            + "m"
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
    shape
        .targetNode()
        .map(gres::gpus)
        .filter(n -> n > 0)
        .ifPresent(n -> args.add("--gres=gpu:" + n));
    settings.signal().ifPresent(s -> args.add("--signal=" + s));
    args.add("--output=" + settings.output());
    if (!settings.environment().isEmpty()) {
      StringBuilder export = new StringBuilder("--export=ALL");
      new TreeMap<>(settings.environment())
          .forEach((k, v) -> export.append(',').append(k).append('=').append(v));
      args.add(export.toString());
    }
    args.addAll(settings.extraOptions());
    return args;
  }

  private static long minutes(Duration d) {
    return Math.max(1, d.toMinutes());
  }
}

package io.hpcwhisk.slurm.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.slurm.SlurmAccessException;
import io.hpcwhisk.slurm.cli.PilotJobHandOff;
import io.hpcwhisk.slurm.cli.PilotJobSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Submits pilots with {@code POST /slurm/VERSION/job/submit} and cancels them with {@code DELETE
 * /slurm/VERSION/job/ID}: the same jobs as {@link io.hpcwhisk.slurm.cli.SlurmCliPilotLauncher},
 * with the environment, the secret-looking variables left out and the options refused as
 * docs/admin-guide.md §4, "Slurm over slurmrestd", states.
 */
public final class SlurmRestPilotLauncher implements PilotLauncher {

  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i)^(?!.*_FILE$).*(TOKEN|SECRET|PASSW|KEY|CREDENTIAL|JWT).*");
  private static final Pattern SIGNAL =
      Pattern.compile("^(?:(R):)?(?:(B):)?([A-Za-z0-9]+)(?:@(\\d+))?$");

  private final SlurmRestClient client;
  private final PilotJobSettings settings;
  private final PilotJobHandOff handOff;
  private final Supplier<Map<String, String>> controllerEnvironment;
  private final Path workingDirectory;

  public SlurmRestPilotLauncher(
      SlurmRestClient client, PilotJobSettings settings, PilotJobHandOff handOff) {
    this(client, settings, handOff, System::getenv, Path.of("").toAbsolutePath());
  }

  /**
   * @param controllerEnvironment the environment passed on (as {@code --export=ALL} would)
   * @param workingDirectory the job's working directory (sbatch's: where the controller runs)
   */
  public SlurmRestPilotLauncher(
      SlurmRestClient client,
      PilotJobSettings settings,
      PilotJobHandOff handOff,
      Supplier<Map<String, String>> controllerEnvironment,
      Path workingDirectory) {
    if (!settings.extraOptions().isEmpty()) {
      throw new IllegalArgumentException(
          "harvest.pilot-job.extra-options "
              + settings.extraOptions()
              + " are sbatch options, which slurm.access: rest cannot pass; remove them or use"
              + " slurm.access: cli");
    }
    settings.signal().ifPresent(SlurmRestPilotLauncher::signal); // validates
    this.client = client;
    this.settings = settings;
    this.handOff = handOff;
    this.controllerEnvironment = controllerEnvironment;
    this.workingDirectory = workingDirectory;
  }

  @Override
  public JobId submit(PilotShape shape) {
    PilotJobHandOff.Prepared prepared = handOff.prepare();
    JobId id;
    try {
      JsonNode answer = client.post("job/submit", request(shape, prepared.environment()));
      long number = answer.path("job_id").asLong(0);
      if (number <= 0) {
        throw new SlurmAccessException(
            SlurmAccessException.Reason.GARBAGE,
            "slurmrestd at " + client.base() + " answered the submission without a job_id");
      }
      id = new JobId(number);
    } catch (RuntimeException e) {
      prepared.failed();
      throw e;
    }
    try {
      prepared.submitted(id, Duration.ofMinutes(minutes(shape.time())));
    } catch (RuntimeException e) {
      prepared.failed();
      cancel(id);
      throw new SlurmAccessException(
          SlurmAccessException.Reason.FAILED,
          "submitted job "
              + id
              + " but could not bind its credential (cancelled it): "
              + e.getMessage(),
          e);
    }
    return id;
  }

  @Override
  public void cancel(JobId id) {
    try {
      client.delete("job/" + id);
    } catch (SlurmAccessException e) {
      String m = e.getMessage();
      if (e.reason() == SlurmAccessException.Reason.FAILED
          && (m.contains("Invalid job id") || m.contains("already completing or completed"))) {
        return; // already gone
      }
      throw e;
    }
  }

  /** The submission's JSON body for {@code shape} with this job's hand-off variables. */
  public ObjectNode request(PilotShape shape, Map<String, String> perJob) {
    long minutes = minutes(shape.time());
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode job = f.objectNode();
    job.put("script", settings.script());
    job.put(
        "name",
        settings.namePrefix()
            + "-"
            + minutes
            + "m"
            + shape.targetNode().map(n -> "-" + n).orElse(""));
    job.put("partition", shape.partition());
    shape.qos().ifPresent(q -> job.put("qos", q));
    settings.account().ifPresent(a -> job.put("account", a));
    job.put("minimum_nodes", 1);
    job.put("maximum_nodes", 1);
    job.set("time_limit", number(minutes));
    shape.timeMin().ifPresent(m -> job.set("time_minimum", number(Math.min(minutes, minutes(m)))));
    if (shape.nice() > 0) {
      job.put("nice", shape.nice());
    }
    shape.targetNode().ifPresent(n -> job.set("required_nodes", f.arrayNode().add(n)));
    settings
        .signal()
        .ifPresent(
            s -> {
              Signal sig = signal(s);
              job.put("kill_warning_signal", sig.name());
              job.set("kill_warning_delay", number(sig.seconds()));
              if (sig.batchOnly()) {
                job.set("kill_warning_flags", f.arrayNode().add("BATCH_JOB"));
              }
            });
    job.put("standard_output", settings.output());
    job.put("current_working_directory", workingDirectory.toString());
    Map<String, String> env = new TreeMap<>();
    controllerEnvironment
        .get()
        .forEach(
            (k, v) -> {
              if (k.matches("[A-Za-z_][A-Za-z0-9_]*") && !SECRET_NAME.matcher(k).matches()) {
                env.put(k, v);
              }
            });
    env.putAll(settings.environment());
    env.putAll(perJob);
    var array = f.arrayNode();
    env.forEach((k, v) -> array.add(k + "=" + v));
    job.set("environment", array);
    ObjectNode body = f.objectNode();
    body.set("job", job);
    return body;
  }

  private static ObjectNode number(long value) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("set", true);
    n.put("infinite", false);
    n.put("number", value);
    return n;
  }

  record Signal(String name, long seconds, boolean batchOnly) {}

  /** {@code [B:]SIG[@seconds]} as sbatch reads {@code --signal} (60 s when no time is given). */
  static Signal signal(String value) {
    Matcher m = SIGNAL.matcher(value.strip());
    if (!m.matches() || m.group(1) != null) {
      throw new IllegalArgumentException(
          "harvest.pilot-job.signal must be [B:]SIGNAL[@SECONDS] (e.g. TERM@120) for slurm.access:"
              + " rest, got '"
              + value
              + "'");
    }
    String sig = m.group(3).toUpperCase(Locale.ROOT);
    if (sig.startsWith("SIG")) {
      sig = sig.substring(3);
    }
    return new Signal(
        sig, Optional.ofNullable(m.group(4)).map(Long::parseLong).orElse(60L), m.group(2) != null);
  }

  private static long minutes(Duration d) {
    return Math.max(1, d.toMinutes());
  }
}

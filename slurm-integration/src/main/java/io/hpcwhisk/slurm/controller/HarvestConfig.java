package io.hpcwhisk.slurm.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.harvest.Durations;
import io.hpcwhisk.core.harvest.HarvestPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The controller's configuration: the {@code slurm:} and {@code harvest:} sections of {@code hpc-whisk.yaml}
 * (other sections belong to other components and are ignored). Every default is written next to its field and
 * in {@link #DEFAULTS_HELP_FORMAT}.
 *
 * @param slurm how to reach Slurm and where pilots may go
 * @param harvest the policy, the loop and the pilot jobs
 */
public record HarvestConfig(Slurm slurm, Harvest harvest) {

  /**
   * The defaults as {@code --help} prints them: a printf-style format ({@code %n} is a line break, {@code %%} a
   * percent sign), a constant so that picocli annotations can use it.
   */
  public static final String DEFAULTS_HELP_FORMAT = ""
      + "slurm:%n"
      + "  bin-dir: \"\"               # dir of sinfo/squeue/sbatch/scancel; empty = PATH%n"
      + "  conf: \"\"                  # SLURM_CONF for them; empty = inherited%n"
      + "  command-timeout: 15s     # the most one Slurm command may take%n"
      + "  partition: whisk         # the preemptible partition, the only one used%n"
      + "  qos: \"\"                   # QOS for pilots; empty = none%n"
      + "  account: \"\"               # account for pilots; empty = none%n"
      + "harvest:%n"
      + "  enabled: true            # hpc-whisk server runs the controller (off: --no-controller)%n"
      + "  policy: adaptive         # fib | var | adaptive%n"
      + "  params: {}               # policy parameters, e.g. {max-pending: 16}%n"
      + "  interval: 5s             # reconcile interval%n"
      + "  dry-run: false           # log intents, submit and cancel nothing%n"
      + "  max-submissions-per-pass: 50%n"
      + "  expedite-preemption: false  # scancel pilots Slurm is preempting (batch-shell pilot scripts only)%n"
      + "  hold-freed-nodes: false  # hold pending pilots while a node a batch job freed awaits a backfill pass%n"
      + "  pilot-job:%n"
      + "    name-prefix: hpcw-pilot%n"
      + "    script: config/pilot-sleep-placeholder.sbatch  # use config/pilot.sbatch%n"
      + "    output: /tmp/hpc-whisk-pilot-%%j.out%n"
      + "    signal: \"\"             # --signal, e.g. TERM@120 (the pilot step drains); empty = none%n"
      + "    extra-options: []      # further sbatch options%n"
      + "    environment: {}        # variables for every pilot, e.g. HPC_WHISK_BALANCER_URL%n";

  public HarvestConfig {
    Objects.requireNonNull(slurm, "slurm");
    Objects.requireNonNull(harvest, "harvest");
  }

  /**
   * The {@code slurm:} section.
   *
   * @param binDir directory of the Slurm commands; empty = PATH (default)
   * @param conf {@code SLURM_CONF} for the commands; empty = inherited (default)
   * @param commandTimeout the most one command may take (default 15s)
   * @param partition the harvest partition (default {@code whisk})
   * @param qos QOS for pilots (default none)
   * @param account account for pilots (default none)
   */
  public record Slurm(Optional<Path> binDir, Optional<Path> conf, Duration commandTimeout, String partition,
      Optional<String> qos, Optional<String> account) {
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(15);
    public static final String DEFAULT_PARTITION = "whisk";

    public Slurm {
      Objects.requireNonNull(binDir, "binDir");
      Objects.requireNonNull(conf, "conf");
      Objects.requireNonNull(qos, "qos");
      Objects.requireNonNull(account, "account");
      if (commandTimeout.isNegative() || commandTimeout.isZero()) {
        throw new IllegalArgumentException("slurm.command-timeout must be positive, got " + commandTimeout);
      }
      new HarvestTarget(partition, qos); // validates
    }

    public static Slurm defaults() {
      return new Slurm(Optional.empty(), Optional.empty(), DEFAULT_COMMAND_TIMEOUT, DEFAULT_PARTITION,
          Optional.empty(), Optional.empty());
    }

    public HarvestTarget target() {
      return new HarvestTarget(partition, qos);
    }

    /** Environment for the Slurm commands ({@code SLURM_CONF} when configured). */
    public Map<String, String> environment() {
      return conf.map(c -> Map.of("SLURM_CONF", c.toString())).orElse(Map.of());
    }
  }

  /**
   * The {@code harvest:} section.
   *
   * @param policy policy name (default {@code adaptive})
   * @param params policy parameters as text (default none: the policy's defaults)
   * @param interval reconcile interval (default 5s)
   * @param dryRun print intents, change nothing (default false)
   * @param maxSubmissionsPerPass cap on sbatch calls per pass (default 50)
   * @param expeditePreemption cancel a pilot as soon as Slurm marks it for preemption (default false: only for
   *     pilot scripts that run the pilot in the batch shell, which Slurm signals only when the grace time is
   *     over; {@code config/pilot.sbatch} runs it as a job step, which Slurm signals at once)
   * @param pilotJob how pilot jobs are named and what they run
   * @param holdFreedNodes while batch jobs are pending, keep pending pilots held in Slurm until a node a batch job
   *     gave back has been through one backfill pass (default false; core's {@code PendingPilotGate})
   */
  public record Harvest(String policy, Map<String, String> params, Duration interval, boolean dryRun,
      int maxSubmissionsPerPass, boolean expeditePreemption, PilotJob pilotJob, boolean holdFreedNodes) {

    /** Without the freed-node hold. */
    public Harvest(String policy, Map<String, String> params, Duration interval, boolean dryRun,
        int maxSubmissionsPerPass, boolean expeditePreemption, PilotJob pilotJob) {
      this(policy, params, interval, dryRun, maxSubmissionsPerPass, expeditePreemption, pilotJob, false);
    }

    public static final String DEFAULT_POLICY = "adaptive";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_SUBMISSIONS_PER_PASS = 50;

    public Harvest {
      params = Map.copyOf(params);
      HarvestPolicies.params(policy, params); // validates name and parameters
      if (interval.compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException("harvest.interval must be at least 100ms, got " + interval);
      }
      if (maxSubmissionsPerPass < 1) {
        throw new IllegalArgumentException("harvest.max-submissions-per-pass must be at least 1, got "
            + maxSubmissionsPerPass);
      }
      Objects.requireNonNull(pilotJob, "pilotJob");
    }

    public static Harvest defaults() {
      return new Harvest(DEFAULT_POLICY, Map.of(), DEFAULT_INTERVAL, false, DEFAULT_MAX_SUBMISSIONS_PER_PASS, false,
          PilotJob.defaults());
    }
  }

  /**
   * {@code harvest.pilot-job:}.
   *
   * @param namePrefix job-name prefix of our pilots (default {@code hpcw-pilot})
   * @param script batch script every pilot runs (default {@code config/pilot-sleep-placeholder.sbatch}, a
   *     placeholder that sleeps until SIGTERM; the real pilot is {@code config/pilot.sbatch})
   * @param output {@code --output} pattern (default {@code /tmp/hpc-whisk-pilot-%j.out})
   * @param signal {@code --signal} (default none: Slurm may send it up to 60 s early, which would cut short
   *     pilots of a few minutes; the pilot gets SIGTERM at its time limit anyway)
   * @param extraOptions further sbatch options (default none)
   * @param environment variables every pilot gets (default none), e.g. {@code HPC_WHISK_BALANCER_URL}; the
   *     server adds its own with {@link #withEnvironment(Map)}
   */
  public record PilotJob(String namePrefix, Path script, String output, Optional<String> signal,
      List<String> extraOptions, Map<String, String> environment) {
    public static final String DEFAULT_NAME_PREFIX = "hpcw-pilot";
    public static final Path DEFAULT_SCRIPT = Path.of("config/pilot-sleep-placeholder.sbatch");
    public static final String DEFAULT_OUTPUT = "/tmp/hpc-whisk-pilot-%j.out";

    public PilotJob {
      Objects.requireNonNull(namePrefix, "namePrefix");
      Objects.requireNonNull(script, "script");
      Objects.requireNonNull(output, "output");
      Objects.requireNonNull(signal, "signal");
      extraOptions = List.copyOf(extraOptions);
      environment = Map.copyOf(environment);
    }

    public static PilotJob defaults() {
      return new PilotJob(DEFAULT_NAME_PREFIX, DEFAULT_SCRIPT, DEFAULT_OUTPUT, Optional.empty(), List.of(), Map.of());
    }

    /** The same settings with more environment variables for the pilots (later ones win). */
    public PilotJob withEnvironment(Map<String, String> more) {
      Map<String, String> merged = new LinkedHashMap<>(environment);
      merged.putAll(more);
      return new PilotJob(namePrefix, script, output, signal, extraOptions, merged);
    }

    /** The script's text, resolved against {@code baseDir} when relative. */
    public String readScript(Path baseDir) {
      Path path = script.isAbsolute() ? script : baseDir.resolve(script);
      try {
        return Files.readString(path);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read harvest.pilot-job.script " + path + ": " + e.getMessage(), e);
      }
    }
  }

  public static HarvestConfig defaults() {
    return new HarvestConfig(Slurm.defaults(), Harvest.defaults());
  }

  /** Reads the {@code slurm:} and {@code harvest:} sections of a YAML file. */
  public static HarvestConfig load(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read configuration " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads the {@code slurm:} and {@code harvest:} sections of YAML text; missing keys take their defaults. */
  public static HarvestConfig parse(String yaml) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException("configuration is not valid YAML: " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return defaults();
    }
    Section s = new Section("slurm", root.path("slurm"), Set.of("bin-dir", "conf", "command-timeout", "partition",
        "qos", "account"));
    Slurm slurm = new Slurm(s.optional("bin-dir").map(Path::of), s.optional("conf").map(Path::of),
        s.duration("command-timeout", Slurm.DEFAULT_COMMAND_TIMEOUT), s.text("partition", Slurm.DEFAULT_PARTITION),
        s.optional("qos"), s.optional("account"));
    Section h = new Section("harvest", root.path("harvest"), Set.of("enabled", "policy", "params", "interval",
        "dry-run", "max-submissions-per-pass", "expedite-preemption", "pilot-job", "hold-freed-nodes"));
    Section p = new Section("harvest.pilot-job", root.path("harvest").path("pilot-job"), Set.of("name-prefix",
        "script", "output", "signal", "extra-options", "environment"));
    PilotJob pilotJob = new PilotJob(p.text("name-prefix", PilotJob.DEFAULT_NAME_PREFIX),
        Path.of(p.text("script", PilotJob.DEFAULT_SCRIPT.toString())), p.text("output", PilotJob.DEFAULT_OUTPUT),
        p.optional("signal"), p.list("extra-options"), p.map("environment"));
    Harvest harvest = new Harvest(h.text("policy", Harvest.DEFAULT_POLICY), h.map("params"),
        h.duration("interval", Harvest.DEFAULT_INTERVAL), h.bool("dry-run", false),
        h.integer("max-submissions-per-pass", Harvest.DEFAULT_MAX_SUBMISSIONS_PER_PASS),
        h.bool("expedite-preemption", false), pilotJob, h.bool("hold-freed-nodes", false));
    return new HarvestConfig(slurm, harvest);
  }

  /**
   * {@code harvest.enabled} of a configuration file (default true): whether {@code hpc-whisk server} runs the
   * controller next to the API. The standalone {@code hpc-whisk controller run} ignores it.
   */
  public static boolean enabledIn(Path file) {
    try {
      JsonNode v = new YAMLMapper().readTree(Files.readString(file)).path("harvest").path("enabled");
      if (v.isMissingNode() || v.isNull()) {
        return true;
      }
      if (!v.isBoolean()) {
        throw new IllegalArgumentException("harvest.enabled must be true or false, got " + v);
      }
      return v.asBoolean();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read configuration " + file + ": " + e.getMessage(), e);
    }
  }

  /** Typed access to one mapping of the YAML tree, refusing unknown keys. */
  private static final class Section {
    final String name;
    final JsonNode node;

    Section(String name, JsonNode node, Set<String> known) {
      this.name = name;
      this.node = node;
      if (node.isMissingNode() || node.isNull()) {
        return;
      }
      if (!node.isObject()) {
        throw new IllegalArgumentException("'" + name + "' must be a mapping, got " + node);
      }
      Set<String> unknown = new TreeSet<>();
      node.fieldNames().forEachRemaining(k -> {
        if (!known.contains(k)) {
          unknown.add(k);
        }
      });
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException("unknown key(s) " + unknown + " in '" + name + "'; expected some of "
            + new TreeSet<>(known));
      }
    }

    Optional<String> optional(String key) {
      JsonNode v = node.path(key);
      if (v.isMissingNode() || v.isNull() || v.asText().isBlank()) {
        return Optional.empty();
      }
      if (!v.isValueNode()) {
        throw new IllegalArgumentException(name + "." + key + " must be a single value, got " + v);
      }
      return Optional.of(v.asText().strip());
    }

    String text(String key, String fallback) {
      return optional(key).orElse(fallback);
    }

    Duration duration(String key, Duration fallback) {
      Optional<String> v = optional(key);
      try {
        return v.map(Durations::parse).orElse(fallback);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + "." + key + ": " + e.getMessage(), e);
      }
    }

    boolean bool(String key, boolean fallback) {
      Optional<String> v = optional(key);
      if (v.isEmpty()) {
        return fallback;
      }
      return switch (v.get().toLowerCase(java.util.Locale.ROOT)) {
        case "true", "yes", "on" -> true;
        case "false", "no", "off" -> false;
        default -> throw new IllegalArgumentException(name + "." + key + " must be true or false, got '" + v.get()
            + "'");
      };
    }

    int integer(String key, int fallback) {
      Optional<String> v = optional(key);
      try {
        return v.map(Integer::parseInt).orElse(fallback);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + "." + key + " must be a whole number, got '" + v.get() + "'", e);
      }
    }

    List<String> list(String key) {
      JsonNode v = node.path(key);
      List<String> out = new ArrayList<>();
      if (v.isArray()) {
        v.forEach(e -> out.add(e.asText()));
      } else if (!v.isMissingNode() && !v.isNull()) {
        throw new IllegalArgumentException(name + "." + key + " must be a list, got " + v);
      }
      return out;
    }

    Map<String, String> map(String key) {
      JsonNode v = node.path(key);
      Map<String, String> out = new LinkedHashMap<>();
      if (v.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          var e = it.next();
          out.put(e.getKey(), e.getValue().isArray() ? joined(e.getValue()) : e.getValue().asText());
        }
      } else if (!v.isMissingNode() && !v.isNull()) {
        throw new IllegalArgumentException(name + "." + key + " must be a mapping, got " + v);
      }
      return out;
    }

    private static String joined(JsonNode array) {
      List<String> parts = new ArrayList<>();
      array.forEach(e -> parts.add(e.asText()));
      return String.join(",", parts);
    }
  }
}

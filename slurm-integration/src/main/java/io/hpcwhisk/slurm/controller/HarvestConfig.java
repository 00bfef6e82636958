package io.hpcwhisk.slurm.controller;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.hpcwhisk.configuration.Check;
import io.hpcwhisk.configuration.ConfigBinding;
import io.hpcwhisk.configuration.ConfigException;
import io.hpcwhisk.configuration.ConfigFile;
import io.hpcwhisk.configuration.Copyable;
import io.hpcwhisk.configuration.PolicyParamsBinding;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.harvest.HarvestPolicies;
import io.hpcwhisk.core.harvest.PassPacing;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The controller's configuration: the {@code slurm:} and {@code harvest:} sections of {@code
 * hpc-whisk.yaml} (other sections belong to other components and are ignored), read by {@link
 * ConfigBinding}. Every default is written next to its field (one {@link Check} line in the compact
 * constructor) and in {@link #DEFAULTS_HELP_FORMAT}.
 *
 * @param slurm how to reach Slurm and where pilots may go
 * @param harvest the policy, the loop and the pilot jobs
 */
@JsonIgnoreProperties(
    ignoreUnknown = true) // the other sections belong to other components; ConfigFile checks names
public record HarvestConfig(Slurm slurm, Harvest harvest) implements Copyable<HarvestConfig> {

  /**
   * The defaults as {@code --help} prints them: a printf-style format ({@code %n} is a line break,
   * {@code %%} a percent sign), a constant so that picocli annotations can use it.
   */
  public static final String DEFAULTS_HELP_FORMAT =
      "slurm:%n  bin-dir: \"\"               # dir of sinfo/squeue/sbatch/scancel; empty = PATH%n "
          + " conf: \"\"                  # SLURM_CONF for them; empty = inherited%n "
          + " command-timeout: 15s     # the most one Slurm command may take%n  partition: whisk   "
          + "      # the preemptible partition, the only one used%n  qos: \"\"                   #"
          + " QOS for pilots; empty = none%n  account: \"\"               # account for pilots;"
          + " empty = none%n  access: cli              # cli (sinfo/squeue/sbatch/scancel) | rest"
          + " (slurmrestd)%n  rest:%n    url: \"\"                # slurmrestd, e.g."
          + " http://127.0.0.1:6820 (access: rest)%n    token-file: \"\"         # JWT file, mode"
          + " 0600 (access: rest)%nharvest:%n  enabled: true            # hpc-whisk server runs the"
          + " controller (off: --no-controller)%n  policy: adaptive         # fib | var |"
          + " adaptive%n  params: {}               # policy parameters, e.g. {max-pending: 16}%n "
          + " interval: 5s             # reconcile interval%n  idle-interval: 30s"
          + "       # slowest pass interval while Slurm's answers stay the same%n  dry-run:"
          + " false           # log"
          + " intents, submit and cancel nothing%n  max-submissions-per-pass: 50%n "
          + " expedite-preemption: false  # scancel pilots Slurm is preempting (batch-shell pilot"
          + " scripts only)%n  hold-freed-nodes: false  # hold pending pilots while a node a batch"
          + " job freed awaits a backfill pass%n  pilot-job:%n    name-prefix: hpcw-pilot%n   "
          + " script: config/pilot-sleep-placeholder.sbatch  # use config/pilot.sbatch%n    output:"
          + " /tmp/hpc-whisk-pilot-%%j.out%n    signal: \"\"             # --signal, e.g. TERM@120"
          + " (the pilot step drains); empty = none%n    extra-options: []      # further sbatch"
          + " options%n    environment: {}        # variables for every pilot, e.g."
          + " HPC_WHISK_BALANCER_URL%n";

  public HarvestConfig {
    slurm = slurm == null ? Slurm.defaults() : slurm;
    harvest = harvest == null ? Harvest.defaults() : harvest;
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
   * @param access how the controller reaches Slurm: {@code cli} (default; the client commands) or
   *     {@code rest} (slurmrestd, see {@link Rest})
   * @param rest slurmrestd's URL and token file, for {@code access: rest}
   */
  public record Slurm(
      Optional<Path> binDir,
      Optional<Path> conf,
      Duration commandTimeout,
      String partition,
      Optional<String> qos,
      Optional<String> account,
      String access,
      Rest rest)
      implements Copyable<Slurm> {
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(15);
    public static final String DEFAULT_PARTITION = "whisk";
    public static final String DEFAULT_ACCESS = "cli";

    /** CLI access (the default), without REST settings. */
    public Slurm(
        Optional<Path> binDir,
        Optional<Path> conf,
        Duration commandTimeout,
        String partition,
        Optional<String> qos,
        Optional<String> account) {
      this(binDir, conf, commandTimeout, partition, qos, account, DEFAULT_ACCESS, null);
    }

    public Slurm {
      binDir = path(binDir);
      conf = path(conf);
      commandTimeout =
          Check.duration(
              "slurm.command-timeout",
              commandTimeout,
              DEFAULT_COMMAND_TIMEOUT,
              Duration.ofMillis(1),
              null);
      partition = Check.orDefault(Check.blankToNull(partition), DEFAULT_PARTITION);
      qos = text(qos);
      account = text(account);
      access = Check.oneOf("slurm.access", access, DEFAULT_ACCESS, "cli", "rest");
      rest = rest == null ? Rest.defaults() : rest;
      if (access.equals("rest")) {
        if (rest.url().isEmpty()) {
          throw new ConfigException(
              "slurm.rest.url",
              "slurm.access: rest needs slurmrestd's URL, e.g. http://127.0.0.1:6820");
        }
        if (rest.tokenFile().isEmpty()) {
          throw new ConfigException(
              "slurm.rest.token-file",
              "slurm.access: rest needs the file holding the JWT (mode 0600), e.g. one written from"
                  + " `scontrol token username=USER lifespan=SECONDS`");
        }
      }
      try {
        new HarvestTarget(partition, qos); // validates
      } catch (IllegalArgumentException e) {
        throw new ConfigException("slurm", e.getMessage());
      }
    }

    public static Slurm defaults() {
      return new Slurm(
          Optional.empty(),
          Optional.empty(),
          DEFAULT_COMMAND_TIMEOUT,
          DEFAULT_PARTITION,
          Optional.empty(),
          Optional.empty());
    }

    public HarvestTarget target() {
      return new HarvestTarget(partition, qos);
    }

    /** Whether the controller reaches Slurm through slurmrestd. */
    public boolean restAccess() {
      return access.equals("rest");
    }

    /** Environment for the Slurm commands ({@code SLURM_CONF} when configured). */
    public Map<String, String> environment() {
      return conf.map(c -> Map.of("SLURM_CONF", c.toString())).orElse(Map.of());
    }
  }

  /**
   * {@code slurm.rest:}, for {@code slurm.access: rest}.
   *
   * @param url slurmrestd's base URL, {@code http://} or {@code https://} (default none)
   * @param tokenFile the file holding the JWT for the controller's user (default none): one line,
   *     as {@code scontrol token} prints it (with or without {@code SLURM_JWT=}); refused when
   *     group or others may access it; read again when it changes
   */
  public record Rest(Optional<URI> url, Optional<Path> tokenFile) implements Copyable<Rest> {
    public Rest {
      url = url == null ? Optional.empty() : url.filter(u -> !u.toString().isBlank());
      url.ifPresent(
          u -> {
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                || u.getHost() == null) {
              throw new ConfigException(
                  "slurm.rest.url",
                  "must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:6820, got"
                      + " '"
                      + u
                      + "'");
            }
          });
      tokenFile = path(tokenFile);
    }

    public static Rest defaults() {
      return new Rest(Optional.empty(), Optional.empty());
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
   * @param expeditePreemption cancel a pilot as soon as Slurm marks it for preemption (default
   *     false: only for pilot scripts that run the pilot in the batch shell, which Slurm signals
   *     only when the grace time is over; {@code config/pilot.sbatch} runs it as a job step, which
   *     Slurm signals at once)
   * @param pilotJob how pilot jobs are named and what they run
   * @param holdFreedNodes while batch jobs are pending, keep pending pilots held in Slurm until a
   *     node a batch job gave back has been through one backfill pass (default false; core's {@code
   *     PendingPilotGate})
   * @param idleInterval the longest wait between two passes while Slurm's answers stay the same
   *     (default 30s, at least {@code interval}; core's {@code PassPacing})
   */
  @JsonIgnoreProperties({"enabled"}) // read by enabledIn
  public record Harvest(
      String policy,
      @JsonDeserialize(contentUsing = ConfigBinding.TextOrList.class) Map<String, String> params,
      Duration interval,
      boolean dryRun,
      Integer maxSubmissionsPerPass,
      boolean expeditePreemption,
      PilotJob pilotJob,
      boolean holdFreedNodes,
      Duration idleInterval)
      implements Copyable<Harvest> {

    /** With the default idle interval. */
    public Harvest(
        String policy,
        Map<String, String> params,
        Duration interval,
        boolean dryRun,
        Integer maxSubmissionsPerPass,
        boolean expeditePreemption,
        PilotJob pilotJob,
        boolean holdFreedNodes) {
      this(
          policy,
          params,
          interval,
          dryRun,
          maxSubmissionsPerPass,
          expeditePreemption,
          pilotJob,
          holdFreedNodes,
          null);
    }

    /** Without the freed-node hold. */
    public Harvest(
        String policy,
        Map<String, String> params,
        Duration interval,
        boolean dryRun,
        Integer maxSubmissionsPerPass,
        boolean expeditePreemption,
        PilotJob pilotJob) {
      this(
          policy,
          params,
          interval,
          dryRun,
          maxSubmissionsPerPass,
          expeditePreemption,
          pilotJob,
          false);
    }

    public static final String DEFAULT_POLICY = "adaptive";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLE_INTERVAL = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_SUBMISSIONS_PER_PASS = 50;

    public Harvest {
      policy =
          Check.oneOf(
              "harvest.policy",
              policy,
              DEFAULT_POLICY,
              HarvestPolicies.NAMES.toArray(String[]::new));
      params = params == null ? Map.of() : Map.copyOf(params);
      PolicyParamsBinding.read(policy, params, "harvest.params"); // validates the parameters
      interval =
          Check.duration(
              "harvest.interval", interval, DEFAULT_INTERVAL, Duration.ofMillis(100), null);
      maxSubmissionsPerPass =
          Check.range(
              "harvest.max-submissions-per-pass",
              maxSubmissionsPerPass,
              DEFAULT_MAX_SUBMISSIONS_PER_PASS,
              1,
              Integer.MAX_VALUE);
      pilotJob = pilotJob == null ? PilotJob.defaults() : pilotJob;
      idleInterval =
          Check.duration(
              "harvest.idle-interval",
              idleInterval,
              interval.compareTo(DEFAULT_IDLE_INTERVAL) > 0 ? interval : DEFAULT_IDLE_INTERVAL,
              interval,
              null);
    }

    /** The pacing of the passes ({@code interval}, {@code idle-interval}). */
    public PassPacing pacing() {
      return new PassPacing(interval, idleInterval);
    }

    public static Harvest defaults() {
      return new Harvest(
          DEFAULT_POLICY,
          Map.of(),
          DEFAULT_INTERVAL,
          false,
          DEFAULT_MAX_SUBMISSIONS_PER_PASS,
          false,
          PilotJob.defaults());
    }
  }

  /**
   * {@code harvest.pilot-job:}.
   *
   * @param namePrefix job-name prefix of our pilots (default {@code hpcw-pilot})
   * @param script batch script every pilot runs (default {@code
   *     config/pilot-sleep-placeholder.sbatch}, a placeholder that sleeps until SIGTERM; the real
   *     pilot is {@code config/pilot.sbatch})
   * @param output {@code --output} pattern (default {@code /tmp/hpc-whisk-pilot-%j.out})
   * @param signal {@code --signal} (default none: Slurm may send it up to 60 s early, which would
   *     cut short pilots of a few minutes; the pilot gets SIGTERM at its time limit anyway)
   * @param extraOptions further sbatch options (default none)
   * @param environment variables every pilot gets (default none), e.g. {@code
   *     HPC_WHISK_BALANCER_URL}; the server adds its own with {@link #withEnvironment(Map)}
   */
  public record PilotJob(
      String namePrefix,
      Path script,
      String output,
      Optional<String> signal,
      List<String> extraOptions,
      @JsonDeserialize(contentUsing = ConfigBinding.TextOrList.class)
          Map<String, String> environment)
      implements Copyable<PilotJob> {
    public static final String DEFAULT_NAME_PREFIX = "hpcw-pilot";
    public static final Path DEFAULT_SCRIPT = Path.of("config/pilot-sleep-placeholder.sbatch");
    public static final String DEFAULT_OUTPUT = "/tmp/hpc-whisk-pilot-%j.out";

    public PilotJob {
      namePrefix = Check.orDefault(Check.blankToNull(namePrefix), DEFAULT_NAME_PREFIX);
      script = path(Optional.ofNullable(script)).orElse(DEFAULT_SCRIPT);
      output = Check.orDefault(Check.blankToNull(output), DEFAULT_OUTPUT);
      signal = text(signal);
      extraOptions = extraOptions == null ? List.of() : List.copyOf(extraOptions);
      environment = environment == null ? Map.of() : Map.copyOf(environment);
    }

    public static PilotJob defaults() {
      return new PilotJob(
          DEFAULT_NAME_PREFIX,
          DEFAULT_SCRIPT,
          DEFAULT_OUTPUT,
          Optional.empty(),
          List.of(),
          Map.of());
    }

    /** The same settings with more environment variables for the pilots (later ones win). */
    public PilotJob withEnvironment(Map<String, String> more) {
      Map<String, String> merged = new LinkedHashMap<>(environment);
      merged.putAll(more);
      return with(PilotJob::environment, merged);
    }

    /** The script's text, resolved against {@code baseDir} when relative. */
    public String readScript(Path baseDir) {
      Path path = script.isAbsolute() ? script : baseDir.resolve(script);
      try {
        return Files.readString(path);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read harvest.pilot-job.script " + path + ": " + e.getMessage(), e);
      }
    }
  }

  public static HarvestConfig defaults() {
    return new HarvestConfig(Slurm.defaults(), Harvest.defaults());
  }

  /**
   * Reads the {@code slurm:} and {@code harvest:} sections of a YAML file (with {@link
   * ConfigFile}'s limits and permission check).
   *
   * @throws ConfigException one line naming the key and what was expected
   */
  public static HarvestConfig load(Path file) {
    return ConfigBinding.bind(ConfigFile.read(file), "", HarvestConfig.class);
  }

  /**
   * Reads the {@code slurm:} and {@code harvest:} sections of YAML text; missing keys take their
   * defaults.
   */
  public static HarvestConfig parse(String yaml) {
    return ConfigBinding.bind(ConfigFile.parse(yaml), "", HarvestConfig.class);
  }

  /**
   * {@code harvest.enabled} of a configuration file (default true): whether {@code hpc-whisk
   * server} runs the controller next to the API. The standalone {@code hpc-whisk controller run}
   * ignores it.
   */
  public static boolean enabledIn(Path file) {
    JsonNode enabled = ConfigFile.read(file).path("harvest").path("enabled");
    return enabled.isMissingNode()
        || enabled.isNull()
        || ConfigBinding.bind(enabled, "harvest.enabled", Boolean.class);
  }

  /** An optional path; empty text is none. */
  private static Optional<Path> path(Optional<Path> value) {
    return value == null ? Optional.empty() : value.filter(p -> !p.toString().isBlank());
  }

  /** An optional text; empty text is none. */
  private static Optional<String> text(Optional<String> value) {
    return value == null ? Optional.empty() : value.map(String::strip).filter(v -> !v.isEmpty());
  }
}

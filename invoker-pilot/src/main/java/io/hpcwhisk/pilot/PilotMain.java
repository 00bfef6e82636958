package io.hpcwhisk.pilot;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.configuration.ConfigFile;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.runtime.ActionRuntimes;
import io.hpcwhisk.runtime.DevicePool;
import io.hpcwhisk.runtime.RuntimeConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Starts a pilot from its configuration ({@link PilotConfig}: the {@code pilot:} section of {@code
 * hpc-whisk.yaml}, then the environment the controller's sbatch script sets, then command-line
 * values; later wins). Installs the SIGTERM handler that drains the pilot; returns the exit code.
 */
public final class PilotMain {

  private static final Logger LOG = LoggerFactory.getLogger(PilotMain.class);

  private PilotMain() {}

  /**
   * Values given on the command line; absent ones come from the environment, the YAML or defaults.
   */
  public record Overrides(Optional<Path> config, Map<String, String> values) {
    public Overrides {
      config = config == null ? Optional.empty() : config;
      values = values == null ? Map.of() : Map.copyOf(values);
    }
  }

  /** Runs a pilot inside the current Slurm job and returns the exit code. */
  public static int run(Overrides overrides, Map<String, String> env, String version) {
    if (env.containsKey(PilotProtocol.ENV_TOKEN_RETIRED)) {
      // its value would sit in /proc/<pid>/environ of this JVM, readable by the actions it runs
      throw new IllegalArgumentException(
          PilotProtocol.ENV_TOKEN_RETIRED
              + " is set: a credential in the environment is no longer accepted; write it to a file"
              + " only you can read (chmod 600) and pass its path as "
              + PilotProtocol.ENV_TOKEN_FILE
              + " or --token-file (the pilot deletes it after reading)");
    }
    PilotConfig config = PilotConfig.read(overrides.config(), env, overrides.values());
    config.balancerUrls();
    String token = config.tokenFile() != null ? takeToken(Path.of(config.tokenFile())) : "";
    PilotIdentity identity =
        SlurmEnvironment.identity(env, SlurmEnvironment::run, config.memoryMb());
    PilotSettings settings = settings(config, token, identity);
    ActionRuntimes runtimes =
        new ActionRuntimes(
            new RuntimeConfig(
                settings.workDir(),
                identity.memoryMb(),
                null,
                null,
                null,
                settings.sandbox(),
                settings.idleTimeout(),
                null,
                config.sandboxUid(),
                hiddenFromActions(overrides.config(), config),
                config.unsandboxedNamespace()),
            DevicePool.ofJob(env),
            config.containers(identity.jobId()));
    // started in the background after registration (InvokerPilot runs warmUp then)
    runtimes.prewarm(config.prewarmPlan());
    Optional<String> cannotServe = runtimes.startProblem();
    if (cannotServe.isPresent()) {
      runtimes.close();
      throw new IllegalArgumentException(cannotServe.get());
    }
    if (runtimes.sandboxed()) {
      LOG.info(
          "pilot {}: actions run in bubblewrap, hidden from them: /tmp {}",
          identity.pilotId(),
          runtimes.sandboxHides());
    }
    runtimes
        .onlyNamespace()
        .ifPresent(
            ns ->
                LOG.warn(
                    "pilot {}: actions run WITHOUT a sandbox ({}); serving only"
                        + " namespace {} (pilot.unsandboxed-namespace)",
                    identity.pilotId(),
                    runtimes.sandboxProblem().orElse("?"),
                    ns));
    // Interpreters are located after registration, so they do not compete with the pilot's
    // start-up.
    InvokerPilot pilot = new InvokerPilot(identity, settings, runtimes, version);
    installSigterm(pilot);
    LOG.info(
        "pilot {} on {}: {} CPUs (cores {}, GPUs {}), {} MB, job ends {}, balancer {}, sandbox {},"
            + " prewarm {}",
        identity.pilotId(),
        identity.node(),
        identity.cpus(),
        runtimes.devices().cores(),
        runtimes.devices().gpus(),
        identity.memoryMb(),
        identity.deadline(),
        settings.balancer(),
        runtimes.sandboxed() ? "bwrap" : "off",
        runtimes.prewarm());
    return pilot.run();
  }

  /**
   * What the sandbox hides besides its built-in list: the configuration file, the server's data
   * directory it names ({@code store.data-dir}), the token file, and {@code pilot.sandbox-hidden}
   * (comma-separated).
   */
  static List<Path> hiddenFromActions(Optional<Path> file, PilotConfig config) {
    List<Path> hidden = new ArrayList<>();
    file.ifPresent(
        f -> {
          hidden.add(f.toAbsolutePath());
          JsonNode dataDir =
              ConfigFile.read(f)
                  .path("store")
                  .path("data-dir"); // already read once: cannot fail now
          if (dataDir.isTextual() && !dataDir.asText().isBlank()) {
            String dir = dataDir.asText().strip();
            hidden.add(
                dir.startsWith("~/")
                    ? Path.of(System.getProperty("user.home"), dir.substring(2))
                    : Path.of(dir));
          }
        });
    if (config.tokenFile() != null) {
      hidden.add(Path.of(config.tokenFile()).toAbsolutePath());
    }
    for (String path :
        config.sandboxHidden() == null ? new String[0] : config.sandboxHidden().split(",")) {
      if (!path.isBlank()) {
        hidden.add(Path.of(path.strip()));
      }
    }
    return hidden;
  }

  static PilotSettings settings(PilotConfig config, String token, PilotIdentity identity) {
    List<URI> urls = config.balancerUrls();
    Path workDir =
        config.workDir() != null
            ? Path.of(config.workDir())
            // The process id keeps two pilots with the same job id (job ids restart with a new
            // cluster, and a
            // SIGKILLed pilot leaves its directory behind) from sharing runtime files such as
            // fifos.
            : Path.of(
                System.getProperty("java.io.tmpdir"),
                "hpc-whisk-pilot-" + identity.jobId() + "-" + ProcessHandle.current().pid());
    return new PilotSettings(
        urls.get(0),
        token,
        config.grace(),
        config.exitMargin(),
        config.drainLead(),
        config.heartbeat(),
        config.reconnectInitial(),
        config.reconnectMax(),
        config.giveUpAfter(),
        workDir,
        config.sandboxMode(),
        config.idleTimeout(),
        null,
        config.caFile(),
        urls.subList(1, urls.size()));
  }

  private static void installSigterm(InvokerPilot pilot) {
    try {
      Signal.handle(new Signal("TERM"), signal -> pilot.terminate());
    } catch (IllegalArgumentException e) {
      LOG.warn(
          "cannot handle SIGTERM ({}); the pilot will not drain on preemption", e.getMessage());
    }
  }

  /**
   * Reads the credential from {@code file} and deletes the file, before the pilot connects or runs
   * anything: an action started later finds neither the file nor the credential in this process's
   * environment.
   */
  static String takeToken(Path file) {
    String token;
    try {
      token = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the pilot token file " + file + ": " + e, e);
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot delete the pilot token file "
              + file
              + " after reading it (the"
              + " pilot deletes it so that no action can read it): "
              + e,
          e);
    }
    return token;
  }

  /**
   * Entry point without the {@code hpc-whisk} command (configuration from the environment only).
   */
  public static void main(String[] args) {
    Optional<Path> config =
        args.length > 1 && args[0].equals("--config")
            ? Optional.of(Path.of(args[1]))
            : Optional.empty();
    int exit;
    try {
      exit = run(new Overrides(config, Map.of()), System.getenv(), "dev");
    } catch (IllegalArgumentException e) {
      System.err.println("hpc-whisk pilot: " + e.getMessage());
      exit = 2;
    }
    System.exit(exit);
  }
}

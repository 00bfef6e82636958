package io.hpcwhisk.pilot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.hpcwhisk.core.harvest.Durations;
import io.hpcwhisk.pilot.runtime.ActionRuntimes;
import io.hpcwhisk.pilot.runtime.RuntimeConfig;
import io.hpcwhisk.protocol.PilotProtocol;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a pilot from its configuration: the {@code pilot:} section of {@code hpc-whisk.yaml}, then
 * the environment the controller's sbatch script sets, then command-line values (later wins).
 * Installs the SIGTERM handler that drains the pilot; returns the exit code.
 */
public final class PilotLauncher {

  private static final Logger LOG = LoggerFactory.getLogger(PilotLauncher.class);
  static final Set<String> YAML_KEYS = Set.of("balancer-url", "token-file", "memory-mb", "grace", "exit-margin",
      "drain-lead", "heartbeat", "reconnect-initial", "reconnect-max", "give-up-after", "work-dir", "sandbox",
      "idle-timeout", "unsandboxed-namespace", "sandbox-hidden", "sandbox-uid", "ca-file");

  private PilotLauncher() {}

  /** Values given on the command line; absent ones come from the environment, the YAML or defaults. */
  public record Overrides(Optional<Path> config, Map<String, String> values) {
    public Overrides {
      config = config == null ? Optional.empty() : config;
      values = values == null ? Map.of() : Map.copyOf(values);
    }
  }

  /** Runs a pilot inside the current Slurm job and returns the exit code. */
  public static int run(Overrides overrides, Map<String, String> env, String version) {
    Map<String, String> values = new HashMap<>();
    overrides.config().ifPresent(path -> values.putAll(readYaml(path)));
    putEnv(values, env, "balancer-url", PilotProtocol.ENV_BALANCER_URL);
    putEnv(values, env, "token-file", PilotProtocol.ENV_TOKEN_FILE);
    putEnv(values, env, "ca-file", PilotProtocol.ENV_BALANCER_CA_FILE);
    putEnv(values, env, "grace", "HPC_WHISK_GRACE");
    putEnv(values, env, "memory-mb", "HPC_WHISK_PILOT_MEMORY_MB");
    putEnv(values, env, "work-dir", "HPC_WHISK_PILOT_WORK_DIR");
    putEnv(values, env, "sandbox", "HPC_WHISK_PILOT_SANDBOX");
    putEnv(values, env, "unsandboxed-namespace", "HPC_WHISK_PILOT_UNSANDBOXED_NAMESPACE");
    overrides.values().forEach((k, v) -> {
      if (v != null && !v.isBlank()) {
        values.put(k, v);
      }
    });
    if (env.containsKey(PilotProtocol.ENV_TOKEN_RETIRED)) {
      // its value would sit in /proc/<pid>/environ of this JVM, readable by the actions it runs
      throw new IllegalArgumentException(PilotProtocol.ENV_TOKEN_RETIRED + " is set: a credential in the"
          + " environment is no longer accepted; write it to a file only you can read (chmod 600) and pass"
          + " its path as " + PilotProtocol.ENV_TOKEN_FILE + " or --token-file (the pilot deletes it after reading)");
    }
    String token = values.containsKey("token-file") ? takeToken(Path.of(values.get("token-file"))) : "";
    int memoryMb = values.containsKey("memory-mb") ? parseInt("memory-mb", values.get("memory-mb")) : 0;
    PilotIdentity identity = SlurmEnvironment.identity(env, SlurmEnvironment::run, memoryMb);
    PilotSettings settings = settings(values, token, identity);
    ActionRuntimes runtimes = new ActionRuntimes(new RuntimeConfig(settings.workDir(), identity.memoryMb(), null,
        null, null, settings.sandbox(), settings.idleTimeout(), null, sandboxUid(values), hiddenFromActions(overrides.config(), values),
        values.get("unsandboxed-namespace")));
    Optional<String> cannotServe = runtimes.startProblem();
    if (cannotServe.isPresent()) {
      runtimes.close();
      throw new IllegalArgumentException(cannotServe.get());
    }
    if (runtimes.sandboxed()) {
      LOG.info("pilot {}: actions run in bubblewrap, hidden from them: /tmp {}", identity.pilotId(),
          runtimes.sandboxHides());
    }
    runtimes.onlyNamespace().ifPresent(ns -> LOG.warn("pilot {}: actions run WITHOUT a sandbox ({}); serving only"
        + " namespace {} (pilot.unsandboxed-namespace)", identity.pilotId(), runtimes.sandboxProblem().orElse("?"), ns));
    // Interpreters are located after registration, so they do not compete with the pilot's start-up.
    Pilot pilot = new Pilot(identity, settings, runtimes, version);
    installSigterm(pilot);
    LOG.info("pilot {} on {}: {} CPUs, {} MB, job ends {}, balancer {}, sandbox {}", identity.pilotId(),
        identity.node(), identity.cpus(), identity.memoryMb(), identity.deadline(), settings.balancer(),
        runtimes.sandboxed() ? "bwrap" : "off");
    return pilot.run();
  }

  /**
   * What the sandbox hides besides its built-in list: the configuration file, the server's data directory
   * it names ({@code store.data-dir}), the token file, and {@code pilot.sandbox-hidden} (comma-separated).
   */
  static java.util.List<Path> hiddenFromActions(Optional<Path> config, Map<String, String> values) {
    java.util.List<Path> hidden = new java.util.ArrayList<>();
    config.ifPresent(file -> {
      hidden.add(file.toAbsolutePath());
      try {
        JsonNode dataDir = new YAMLMapper().readTree(Files.readString(file)).path("store").path("data-dir");
        if (dataDir.isTextual() && !dataDir.asText().isBlank()) {
          String dir = dataDir.asText().strip();
          hidden.add(dir.startsWith("~/") ? Path.of(System.getProperty("user.home"), dir.substring(2)) : Path.of(dir));
        }
      } catch (IOException | RuntimeException e) {
        // readYaml already read this file; a data dir that cannot be named is not hidden (the log says what is)
      }
    });
    if (values.containsKey("token-file")) {
      hidden.add(Path.of(values.get("token-file")).toAbsolutePath());
    }
    for (String path : values.getOrDefault("sandbox-hidden", "").split(",")) {
      if (!path.isBlank()) {
        hidden.add(Path.of(path.strip()));
      }
    }
    return hidden;
  }

  /** {@code pilot.sandbox-uid}: the host uid and gid a root pilot's actions run as (default 65534); never 0. */
  static int sandboxUid(Map<String, String> values) {
    if (!values.containsKey("sandbox-uid")) {
      return 0; // RuntimeConfig's default, 65534
    }
    int uid = parseInt("sandbox-uid", values.get("sandbox-uid"));
    if (uid <= 0) {
      throw new IllegalArgumentException("pilot.sandbox-uid = '" + values.get("sandbox-uid")
          + "', expected an unprivileged uid above 0 (e.g. 65534, nobody)");
    }
    return uid;
  }

  static PilotSettings settings(Map<String, String> values, String token, PilotIdentity identity) {
    String url = values.get("balancer-url");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("no balancer URL: set pilot.balancer-url, " + PilotProtocol.ENV_BALANCER_URL
          + " or --balancer (expected ws://HOST:PORT" + PilotProtocol.PATH + ")");
    }
    Path workDir = values.containsKey("work-dir")
        ? Path.of(values.get("work-dir"))
        // The process id keeps two pilots with the same job id (job ids restart with a new cluster, and a
        // SIGKILLed pilot leaves its directory behind) from sharing runtime files such as fifos.
        : Path.of(System.getProperty("java.io.tmpdir"),
            "hpc-whisk-pilot-" + identity.jobId() + "-" + ProcessHandle.current().pid());
    RuntimeConfig.Sandbox sandbox = values.containsKey("sandbox")
        ? parseSandbox(values.get("sandbox"))
        : RuntimeConfig.Sandbox.AUTO;
    return new PilotSettings(URI.create(url.strip()), token, duration(values, "grace"), duration(values, "exit-margin"),
        duration(values, "drain-lead"), duration(values, "heartbeat"), duration(values, "reconnect-initial"),
        duration(values, "reconnect-max"), duration(values, "give-up-after"), workDir, sandbox,
        duration(values, "idle-timeout"), null, values.get("ca-file"));
  }

  /** Reads the {@code pilot:} section of a YAML file as strings, refusing unknown keys. */
  static Map<String, String> readYaml(Path path) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(Files.readString(path));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read configuration " + path + ": " + e.getMessage(), e);
    }
    Map<String, String> values = new HashMap<>();
    JsonNode pilot = root == null ? null : root.get("pilot");
    if (pilot == null || pilot.isNull()) {
      return values;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = pilot.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!YAML_KEYS.contains(field.getKey())) {
        throw new IllegalArgumentException("unknown key pilot." + field.getKey() + " in " + path
            + ", expected one of " + new java.util.TreeSet<>(YAML_KEYS));
      }
      String text = field.getValue().asText();
      if (!text.isBlank()) {
        values.put(field.getKey(), text);
      }
    }
    return values;
  }

  private static void installSigterm(Pilot pilot) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> pilot.terminate());
    } catch (IllegalArgumentException e) {
      LOG.warn("cannot handle SIGTERM ({}); the pilot will not drain on preemption", e.getMessage());
    }
  }

  private static void putEnv(Map<String, String> values, Map<String, String> env, String key, String variable) {
    String value = env.get(variable);
    if (value != null && !value.isBlank()) {
      values.put(key, value);
    }
  }

  private static Duration duration(Map<String, String> values, String key) {
    String text = values.get(key);
    if (text == null) {
      return null;
    }
    try {
      return Durations.parse(text.strip());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("pilot." + key + " = '" + text + "' is not a duration (e.g. 10s, 500ms, 2m)", e);
    }
  }

  private static int parseInt(String key, String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("pilot." + key + " = '" + text + "' is not a whole number", e);
    }
  }

  private static RuntimeConfig.Sandbox parseSandbox(String text) {
    // YAML 1.1 reads an unquoted "off" as false and "on" as true.
    String value = text.strip().toLowerCase(Locale.ROOT);
    if (value.equals("false") || value.equals("no")) {
      return RuntimeConfig.Sandbox.OFF;
    }
    if (value.equals("true") || value.equals("yes") || value.equals("on")) {
      return RuntimeConfig.Sandbox.AUTO;
    }
    try {
      return RuntimeConfig.Sandbox.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pilot.sandbox = '" + text + "', expected auto, off or bwrap", e);
    }
  }

  /**
   * Reads the credential from {@code file} and deletes the file, before the pilot connects or runs anything: an
   * action started later finds neither the file nor the credential in this process's environment.
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
      throw new IllegalArgumentException("cannot delete the pilot token file " + file + " after reading it (the"
          + " pilot deletes it so that no action can read it): " + e, e);
    }
    return token;
  }

  /** Entry point without the {@code hpc-whisk} command (configuration from the environment only). */
  public static void main(String[] args) {
    Optional<Path> config = args.length > 1 && args[0].equals("--config") ? Optional.of(Path.of(args[1])) : Optional.empty();
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

package io.hpcwhisk.pilot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.configuration.Check;
import io.hpcwhisk.configuration.ConfigBinding;
import io.hpcwhisk.configuration.ConfigException;
import io.hpcwhisk.configuration.ConfigFile;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.runtime.ActionLimits;
import io.hpcwhisk.runtime.Prewarm;
import io.hpcwhisk.runtime.RuntimeConfig;
import io.hpcwhisk.runtime.container.ContainerSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code pilot:} section of {@code hpc-whisk.yaml}, overridden by the environment the sbatch
 * script sets ({@link #ENVIRONMENT}) and then by command-line values, all bound by {@link
 * ConfigBinding} so that a bad value is named {@code pilot.KEY} wherever it came from; each key's
 * meaning and default: docs/admin-guide.md §2, "Configuration reference".
 */
public record PilotConfig(
    String balancerUrl,
    String tokenFile,
    Integer memoryMb,
    Duration grace,
    Duration exitMargin,
    Duration drainLead,
    Duration heartbeat,
    Duration reconnectInitial,
    Duration reconnectMax,
    Duration giveUpAfter,
    String workDir,
    String sandbox,
    String unsandboxedNamespace,
    Integer sandboxUid,
    String sandboxHidden,
    Duration idleTimeout,
    String caFile,
    String containerEngine,
    String images,
    String containerNetwork,
    String prewarm,
    Integer prewarmMemoryMb) {

  /** Pre-started runtimes when {@code pilot.prewarm} is not set. */
  public static final String DEFAULT_PREWARM = "nodejs:2,python:1";

  /** The keys the sbatch script's environment sets, and their variables. */
  public static final Map<String, String> ENVIRONMENT = environment();

  public PilotConfig {
    balancerUrl = Check.blankToNull(balancerUrl);
    tokenFile = Check.blankToNull(tokenFile);
    memoryMb = Check.range("pilot.memory-mb", memoryMb, 0, 0, Integer.MAX_VALUE);
    grace = Check.duration("pilot.grace", grace, Duration.ofSeconds(10), Duration.ZERO, null);
    exitMargin =
        Check.duration(
            "pilot.exit-margin", exitMargin, Duration.ofMillis(1500), Duration.ZERO, null);
    drainLead =
        Check.duration("pilot.drain-lead", drainLead, Duration.ofSeconds(15), Duration.ZERO, null);
    heartbeat =
        Check.duration(
            "pilot.heartbeat",
            heartbeat,
            Duration.ofMillis(500),
            Duration.ofMillis(1),
            Duration.ofSeconds(1));
    reconnectInitial =
        Check.duration(
            "pilot.reconnect-initial",
            reconnectInitial,
            Duration.ofMillis(100),
            Duration.ofMillis(1),
            null);
    reconnectMax =
        Check.duration(
            "pilot.reconnect-max", reconnectMax, Duration.ofSeconds(5), Duration.ofMillis(1), null);
    giveUpAfter =
        Check.duration(
            "pilot.give-up-after", giveUpAfter, Duration.ofSeconds(60), Duration.ZERO, null);
    workDir = Check.blankToNull(workDir);
    sandbox = sandboxName(sandbox);
    unsandboxedNamespace = Check.blankToNull(unsandboxedNamespace);
    if (sandboxUid != null && sandboxUid <= 0) {
      throw Check.bad(
          "pilot.sandbox-uid",
          sandboxUid,
          "is not an unprivileged uid (expected above 0, e.g. 65534," + " nobody)");
    }
    sandboxUid = Check.orDefault(sandboxUid, 65534); // nobody, as RuntimeConfig's default
    sandboxHidden = Check.blankToNull(sandboxHidden);
    idleTimeout =
        Check.duration(
            "pilot.idle-timeout", idleTimeout, Duration.ofMinutes(10), Duration.ZERO, null);
    caFile = Check.blankToNull(caFile);
    containerEngine = Check.blankToNull(containerEngine);
    containerEngine =
        containerEngine == null ? "auto" : containerEngine.strip().toLowerCase(Locale.ROOT);
    if (!List.of("auto", "podman", "none").contains(containerEngine)) {
      throw new ConfigException(
          "pilot.container-engine",
          "\"" + containerEngine + "\" is not one of: auto, podman, none");
    }
    images = Check.blankToNull(images);
    containerNetwork = Check.blankToNull(containerNetwork);
    containerNetwork =
        containerNetwork == null ? "none" : containerNetwork.strip().toLowerCase(Locale.ROOT);
    if (!ContainerSettings.NETWORKS.contains(containerNetwork)) {
      throw new ConfigException(
          "pilot.container-network",
          "\""
              + containerNetwork
              + "\" is not one of: "
              + String.join(", ", ContainerSettings.NETWORKS));
    }
    prewarm = Check.blankToNull(prewarm);
    prewarm = prewarm == null ? DEFAULT_PREWARM : prewarm.strip();
    prewarmMemoryMb =
        Check.range(
            "pilot.prewarm-memory-mb",
            prewarmMemoryMb,
            ActionLimits.DEFAULT_MEMORY_MB,
            16,
            Integer.MAX_VALUE);
    prewarmPlan(prewarm, prewarmMemoryMb); // refuses a bad pilot.prewarm now, naming it
  }

  /** The pre-started runtimes {@code pilot.prewarm} and {@code pilot.prewarm-memory-mb} ask for. */
  public Prewarm prewarmPlan() {
    return prewarmPlan(prewarm, prewarmMemoryMb);
  }

  private static Prewarm prewarmPlan(String prewarm, int prewarmMemoryMb) {
    try {
      return Prewarm.parse(prewarm.equals("0") ? "none" : prewarm, prewarmMemoryMb);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("pilot.prewarm", e.getMessage());
    }
  }

  /**
   * How container actions run: the engine, the image directory, the job id as label and the
   * network.
   */
  public ContainerSettings containers(String jobId) {
    return new ContainerSettings(
        containerEngine,
        images == null ? null : Path.of(images).toAbsolutePath(),
        jobId,
        containerNetwork);
  }

  /**
   * The {@code pilot:} section of {@code file} (when given), then {@link #ENVIRONMENT} from {@code
   * env}, then {@code options} (keys as in the file); blank values are ignored at every level.
   */
  public static PilotConfig read(
      Optional<Path> file, Map<String, String> env, Map<String, String> options) {
    JsonNode section = file.map(f -> ConfigFile.read(f).path("pilot")).orElse(null);
    ObjectNode merged = JsonNodeFactory.instance.objectNode();
    if (section != null && !section.isMissingNode() && !section.isNull()) {
      if (!section.isObject()) {
        return ConfigBinding.bind(
            section, "pilot", PilotConfig.class); // throws: "pilot: a list is not a mapping"
      }
      section
          .fields()
          .forEachRemaining(
              e -> {
                if (!(e.getValue().isTextual() && e.getValue().asText().isBlank())) {
                  merged.set(e.getKey(), e.getValue());
                }
              });
    }
    ENVIRONMENT.forEach((key, variable) -> putText(merged, key, env.get(variable)));
    options.forEach((key, value) -> putText(merged, key, value));
    return ConfigBinding.bind(merged, "pilot", PilotConfig.class);
  }

  /** The sandbox mode. */
  public RuntimeConfig.Sandbox sandboxMode() {
    return RuntimeConfig.Sandbox.valueOf(sandbox.toUpperCase(Locale.ROOT));
  }

  /** The balancer URL; {@code pilot.balancer-url: missing (...)} without one. */
  public String requireBalancerUrl() {
    return Check.required(
        "pilot.balancer-url",
        balancerUrl,
        "ws://HOST:PORT"
            + PilotProtocol.PATH
            + "; set it here, in "
            + PilotProtocol.ENV_BALANCER_URL
            + " or with --balancer");
  }

  /**
   * The balancer URLs, in order: {@code pilot.balancer-url} split at commas; each must be a {@code
   * ws://} or {@code wss://} URL, all of the same scheme.
   */
  public List<URI> balancerUrls() {
    List<URI> urls = new ArrayList<>();
    // commas, or spaces: a pilot job gets the list space-separated (sbatch --export splits on
    // commas)
    for (String part : requireBalancerUrl().split("[,\\s]+")) {
      String u = part.strip();
      if (u.isEmpty()) {
        continue;
      }
      URI uri;
      try {
        uri = new URI(u);
      } catch (URISyntaxException e) {
        uri = null;
      }
      if (uri == null
          || uri.getHost() == null
          || !("ws".equals(uri.getScheme()) || "wss".equals(uri.getScheme()))) {
        throw new ConfigException(
            "pilot.balancer-url",
            "'"
                + u
                + "' is not a balancer URL: it must be ws:// or wss:// with a host (expected"
                + " ws://HOST:PORT"
                + PilotProtocol.PATH
                + "; several separated by commas or spaces)");
      }
      if (!urls.isEmpty() && !urls.get(0).getScheme().equals(uri.getScheme())) {
        throw new ConfigException(
            "pilot.balancer-url",
            "'" + u + "' is not " + urls.get(0).getScheme() + ":// like the first URL");
      }
      urls.add(uri);
    }
    if (urls.isEmpty()) {
      throw new ConfigException(
          "pilot.balancer-url", "holds no URL (expected ws://HOST:PORT" + PilotProtocol.PATH + ")");
    }
    return urls;
  }

  private static void putText(ObjectNode node, String key, String value) {
    if (value != null && !value.isBlank()) {
      node.put(key, value);
    }
  }

  /**
   * auto, off or bwrap; YAML's true/yes/on mean auto and false/no mean off (an unquoted off is read
   * as false).
   */
  private static String sandboxName(String text) {
    if (text == null || text.isBlank()) {
      return "auto";
    }
    String value = text.strip().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "false", "no", "off" -> "off";
      case "true", "yes", "on", "auto" -> "auto";
      case "bwrap" -> "bwrap";
      default ->
          throw new ConfigException(
              "pilot.sandbox", "\"" + text + "\" is not one of: auto, off, bwrap");
    };
  }

  private static Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("balancer-url", PilotProtocol.ENV_BALANCER_URL);
    env.put("token-file", PilotProtocol.ENV_TOKEN_FILE);
    env.put("ca-file", PilotProtocol.ENV_BALANCER_CA_FILE);
    env.put("grace", "HPC_WHISK_GRACE");
    env.put("memory-mb", "HPC_WHISK_PILOT_MEMORY_MB");
    env.put("work-dir", "HPC_WHISK_PILOT_WORK_DIR");
    env.put("sandbox", "HPC_WHISK_PILOT_SANDBOX");
    env.put("unsandboxed-namespace", "HPC_WHISK_PILOT_UNSANDBOXED_NAMESPACE");
    env.put("container-engine", "HPC_WHISK_PILOT_CONTAINER_ENGINE");
    env.put("images", "HPC_WHISK_PILOT_IMAGES");
    env.put("container-network", "HPC_WHISK_PILOT_CONTAINER_NETWORK");
    env.put("prewarm", "HPC_WHISK_PILOT_PREWARM");
    return Map.copyOf(env);
  }
}

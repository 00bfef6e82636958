package io.hpcwhisk.pilot;

import io.hpcwhisk.configuration.Copyable;
import io.hpcwhisk.runtime.RuntimeConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a pilot behaves, resolved from {@link PilotConfig}; each key's meaning and default:
 * docs/admin-guide.md §2, "Configuration reference".
 *
 * @param ackDelay how long a minor-1 pilot may hold back {@code accepted} (and a retry-safe
 *     activation's {@code started}) in the hope that a later frame acknowledges it (default 100 ms,
 *     at most 1 s: the balancer's ack timeout is 2 s); not a configuration key
 * @param heartbeat heartbeat interval until the balancer's {@code registered} says otherwise
 */
public record PilotSettings(
    URI balancer,
    String token,
    Duration grace,
    Duration exitMargin,
    Duration drainLead,
    Duration heartbeat,
    Duration reconnectInitial,
    Duration reconnectMax,
    Duration giveUpAfter,
    Path workDir,
    RuntimeConfig.Sandbox sandbox,
    Duration idleTimeout,
    Duration ackDelay,
    String caFile,
    List<URI> alternates)
    implements Copyable<PilotSettings> {

  public PilotSettings {
    Objects.requireNonNull(balancer, "balancer");
    String scheme = balancer.getScheme();
    if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
      throw new IllegalArgumentException("balancer URL must be ws:// or wss://, got " + balancer);
    }
    token = token == null ? "" : token;
    grace = orDefault(grace, Duration.ofSeconds(10));
    exitMargin = orDefault(exitMargin, Duration.ofMillis(1500));
    drainLead = orDefault(drainLead, Duration.ofSeconds(15));
    heartbeat = orDefault(heartbeat, Duration.ofMillis(500));
    if (heartbeat.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException("heartbeat must be at most 1 s, got " + heartbeat);
    }
    reconnectInitial = orDefault(reconnectInitial, Duration.ofMillis(100));
    reconnectMax = orDefault(reconnectMax, Duration.ofSeconds(5));
    giveUpAfter = orDefault(giveUpAfter, Duration.ofSeconds(60));
    sandbox = sandbox == null ? RuntimeConfig.Sandbox.AUTO : sandbox;
    idleTimeout = orDefault(idleTimeout, Duration.ofMinutes(10));
    ackDelay = orDefault(ackDelay, Duration.ofMillis(100));
    if (ackDelay.isNegative() || ackDelay.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException("ackDelay must be between 0 and 1 s, got " + ackDelay);
    }
    caFile = caFile == null || caFile.isBlank() ? null : caFile.strip();
    alternates = alternates == null ? List.of() : List.copyOf(alternates);
    for (URI other : alternates) {
      if (!scheme.equals(other.getScheme())) {
        throw new IllegalArgumentException(
            "balancer URL "
                + other
                + " is not "
                + scheme
                + ":// like the first one ("
                + balancer
                + "): every balancer URL of a pilot must use the same scheme");
      }
    }
    if ("wss".equals(scheme) && caFile == null) {
      throw new IllegalArgumentException(
          "balancer URL "
              + balancer
              + " is wss:// but no CA file is given to verify the server's certificate against: set"
              + " pilot.ca-file, HPC_WHISK_BALANCER_CA_FILE or --ca-file (a PEM file, or 'system'"
              + " for the JVM's default trust store)");
    }
  }

  /**
   * Defaults for the given balancer, token and CA file ({@code null} for a {@code ws://} balancer).
   */
  public static PilotSettings of(URI balancer, String token, Path workDir, String caFile) {
    return new PilotSettings(
        balancer, token, null, null, null, null, null, null, null, workDir, null, null, null,
        caFile, null);
  }

  /** Defaults for the given balancer and token. */
  public static PilotSettings of(URI balancer, String token, Path workDir) {
    return of(balancer, token, workDir, null);
  }

  public PilotSettings withGrace(Duration value) {
    return with(PilotSettings::grace, value);
  }

  public PilotSettings withGiveUpAfter(Duration value) {
    return with(PilotSettings::giveUpAfter, value);
  }

  public PilotSettings withDrainLead(Duration value) {
    return with(PilotSettings::drainLead, value);
  }

  public PilotSettings withSandbox(RuntimeConfig.Sandbox value) {
    return with(PilotSettings::sandbox, value);
  }

  public PilotSettings withAckDelay(Duration value) {
    return with(PilotSettings::ackDelay, value);
  }

  /** With the CA file for a {@code wss://} balancer ({@code system}: the JVM's trust store). */
  public PilotSettings withCaFile(String value) {
    return with(PilotSettings::caFile, value);
  }

  /** With more balancer URLs, tried in turn after {@link #balancer()}. */
  public PilotSettings withAlternates(List<URI> value) {
    return with(PilotSettings::alternates, value);
  }

  /** Every balancer URL, {@link #balancer()} first. */
  public List<URI> balancers() {
    List<URI> all = new ArrayList<>();
    all.add(balancer);
    all.addAll(alternates);
    return all;
  }

  private static Duration orDefault(Duration value, Duration fallback) {
    return value == null ? fallback : value;
  }
}

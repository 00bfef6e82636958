package io.hpcwhisk.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/** Messages from the balancer to a pilot; see {@link PilotMessage} for the conversation. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = BalancerMessage.Registered.class, name = "registered"),
  @JsonSubTypes.Type(value = BalancerMessage.Refused.class, name = "refused"),
  @JsonSubTypes.Type(value = BalancerMessage.Activate.class, name = "activate"),
  @JsonSubTypes.Type(value = BalancerMessage.Cancel.class, name = "cancel"),
  @JsonSubTypes.Type(value = BalancerMessage.Drain.class, name = "drain"),
  @JsonSubTypes.Type(value = BalancerMessage.Ping.class, name = "ping"),
  @JsonSubTypes.Type(value = BalancerMessage.Forget.class, name = "forget")
})
public sealed interface BalancerMessage {

  /**
   * Registration accepted.
   *
   * @param pilotId the id the balancer knows the pilot by
   * @param heartbeatIntervalMs how often to heartbeat (at most 1000)
   * @param serverTimeMs the balancer's clock, for the pilot to log skew
   * @param minor the protocol minor version the balancer speaks (absent: 0, which a pilot refuses,
   *     see {@link PilotProtocol#MIN_MINOR})
   */
  record Registered(String pilotId, long heartbeatIntervalMs, long serverTimeMs, int minor)
      implements BalancerMessage {

    public Registered {
      if (heartbeatIntervalMs <= 0 || heartbeatIntervalMs > 1000) {
        throw new IllegalArgumentException(
            "heartbeatIntervalMs must be in 1..1000, got " + heartbeatIntervalMs);
      }
    }
  }

  /** Registration refused (bad credential, unsupported version, ...); the balancer closes next. */
  record Refused(String reason) implements BalancerMessage {}

  /**
   * Run this activation. The pilot answers {@code accepted}, or {@code hand-back} when it cannot.
   */
  record Activate(ActivationRequest request) implements BalancerMessage {
    public Activate {
      Objects.requireNonNull(request, "request");
    }
  }

  /**
   * Withdraw an activation the pilot has not started (minor 1). The balancer has already taken it
   * back when it sends this; the pilot drops it without an answer if it has not started (queued,
   * runtime still starting, or arriving later: it remembers recent cancels); one already started
   * runs on and its result is dropped.
   */
  record Cancel(String activationId, String reason) implements BalancerMessage {}

  /** Minor 1: a health probe; the pilot answers {@code pong} with the same nonce. */
  record Ping(String nonce) implements BalancerMessage {}

  /**
   * Minor 1: the action {@code action} (its path, without version) was deleted or replaced; the
   * pilot removes its idle runtimes of it and their files (a pilot that does not know this message
   * ignores it, and its runtimes go at their idle timeout).
   */
  record Forget(String action, String reason) implements BalancerMessage {
    public Forget {
      Objects.requireNonNull(action, "action");
    }
  }

  /** Ask the pilot to drain and leave (e.g. the controller scales down). */
  record Drain(String reason) implements BalancerMessage {}
}

package io.hpcwhisk.balancer.pilots;

import io.hpcwhisk.protocol.PilotMessage;

/** What the endpoint reports about pilot connections; the dispatcher implements it. */
public interface PilotEvents {

  /**
   * A pilot asks to register over {@code connection}, presenting {@code bearerToken} (null if
   * none). Returns the id it is known by, or throws {@link Refusal} with the reason to send back.
   */
  String register(PilotConnection connection, PilotMessage.Register register, String bearerToken)
      throws Refusal;

  /**
   * A message from a registered pilot. {@code connection} is the connection it arrived on, compared
   * by identity: a message acts only on what that connection holds, never on what another
   * connection registered under the same {@code pilotId} holds.
   */
  void message(String pilotId, PilotConnection connection, PilotMessage message);

  /** The connection of a registered pilot ended. */
  void closed(String pilotId, PilotConnection connection, String reason);

  /**
   * Registration refused; logged, and the reason goes to the pilot: as a {@code refused} message
   * (the pilot gives up), or, when {@link #retryLater()}, as the reason of a close with code 1013
   * "try again later" and no {@code refused} (the pilot reconnects with its backoff).
   */
  final class Refusal extends Exception {
    private final boolean retryLater;

    public Refusal(String reason) {
      this(reason, false);
    }

    public Refusal(String reason, boolean retryLater) {
      super(reason);
      this.retryLater = retryLater;
    }

    /**
     * Whether the same registration may succeed later (the pilot id is held by a live connection
     * now).
     */
    public boolean retryLater() {
      return retryLater;
    }
  }
}

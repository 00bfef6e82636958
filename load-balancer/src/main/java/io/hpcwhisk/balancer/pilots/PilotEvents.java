package io.hpcwhisk.balancer.pilots;

import io.hpcwhisk.protocol.PilotMessage;

/** What the endpoint reports about pilot connections; the dispatcher implements it. */
public interface PilotEvents {

  /**
   * A pilot asks to register over {@code connection}, presenting {@code bearerToken} (null if none).
   * Returns the id it is known by, or throws {@link Refusal} with the reason to send back.
   */
  String register(PilotConnection connection, PilotMessage.Register register, String bearerToken) throws Refusal;

  /** A message from a registered pilot. */
  void message(String pilotId, PilotConnection connection, PilotMessage message);

  /** The connection of a registered pilot ended. */
  void closed(String pilotId, PilotConnection connection, String reason);

  /** Registration refused; the message is sent to the pilot and logged. */
  final class Refusal extends Exception {
    public Refusal(String reason) {
      super(reason);
    }
  }
}

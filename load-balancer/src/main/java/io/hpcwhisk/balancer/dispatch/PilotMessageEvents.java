package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.pilots.PilotConnection;
import io.hpcwhisk.core.dispatch.DispatchEvent;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.PilotMessage;
import java.util.List;

/** Translates the pilot protocol's messages into the dispatch rules' events. */
final class PilotMessageEvents {

  private PilotMessageEvents() {}

  /**
   * The rules' view of {@code message}, which {@code connection} (registered as {@code pilotId})
   * sent.
   */
  static DispatchEvent<PilotConnection> of(
      String pilotId, PilotConnection connection, PilotMessage message) {
    if (message instanceof PilotMessage.Heartbeat h) {
      return new DispatchEvent.Heartbeat<>(pilotId, connection, h.warm(), h.draining());
    } else if (message instanceof PilotMessage.Accepted a) {
      return new DispatchEvent.Accepted<>(pilotId, connection, a.activationId());
    } else if (message instanceof PilotMessage.Started st) {
      return new DispatchEvent.Started<>(pilotId, connection, st.activationId());
    } else if (message instanceof PilotMessage.Completed c) {
      ActivationStatus status = c.outcome().status();
      return new DispatchEvent.Completed<>(
          pilotId,
          connection,
          c.outcome().activationId(),
          label(status),
          status == ActivationStatus.WHISK_ERROR,
          RuntimeStartFault.of(c));
    } else if (message instanceof PilotMessage.HandBack h) {
      List<DispatchEvent.HandedBack.Item> items =
          h.activations().stream()
              .map(i -> new DispatchEvent.HandedBack.Item(i.activationId(), i.started()))
              .toList();
      return new DispatchEvent.HandedBack<>(pilotId, connection, items, h.reason());
    } else if (message instanceof PilotMessage.Pong) {
      return new DispatchEvent.Pong<>(pilotId, connection);
    } else if (message instanceof PilotMessage.Draining d) {
      return new DispatchEvent.Draining<>(pilotId, connection, d.reason());
    } else if (message instanceof PilotMessage.Leaving l) {
      return new DispatchEvent.Leaving<>(pilotId, connection, l.reason());
    }
    return new DispatchEvent.RegisteredTwice<>(pilotId, connection);
  }

  private static String label(ActivationStatus status) {
    return status.text().replace(' ', '_');
  }
}

package io.hpcwhisk.balancer.pilots;

import io.hpcwhisk.protocol.BalancerMessage;

/** One pilot's connection as the dispatcher sees it: send a message (never blocks), close. */
public interface PilotConnection {

  /** Queues a message for the pilot; a failure to deliver shows up as the connection closing. */
  void send(BalancerMessage message);

  /** Closes the connection with a WebSocket status code and reason. */
  void close(int code, String reason);

  /** Where the pilot connects from, for logs. */
  String remote();
}

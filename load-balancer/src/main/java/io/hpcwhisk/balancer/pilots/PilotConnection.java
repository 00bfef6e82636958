package io.hpcwhisk.balancer.pilots;

import io.hpcwhisk.protocol.BalancerMessage;

/**
 * One pilot's connection as the dispatcher sees it: send a message (never blocks), close. The
 * dispatcher tells connections apart by object identity: what was sent over one connection is
 * answered only over that same connection.
 */
public interface PilotConnection {

  /** Queues a message for the pilot; a failure to deliver shows up as the connection closing. */
  void send(BalancerMessage message);

  /** Closes the connection with a WebSocket status code and reason. */
  void close(int code, String reason);

  /**
   * Whether the connection is still open as far as this side knows (a connection that closed may
   * not have reported its close yet; a half-open one still counts as open until it is declared
   * offline).
   */
  boolean isOpen();

  /** Where the pilot connects from, for logs. */
  String remote();
}

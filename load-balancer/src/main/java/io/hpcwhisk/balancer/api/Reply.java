package io.hpcwhisk.balancer.api;

import java.util.HashMap;
import java.util.Map;

/**
 * An answer to one request: the status, the body (serialised as JSON; null for none) and extra
 * headers.
 */
record Reply(int status, Object body, Map<String, String> headers) {

  /**
   * The header that names the activation an invocation or a trigger fire started, as OpenWhisk
   * sends it.
   */
  static final String ACTIVATION_ID_HEADER = "x-openwhisk-activation-id";

  Reply {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  static Reply ok(Object body) {
    return new Reply(200, body, null);
  }

  static Reply of(int status, Object body) {
    return new Reply(status, body, null);
  }

  Reply withHeader(String name, String value) {
    var all = new HashMap<>(headers);
    all.put(name, value);
    return new Reply(status, body, all);
  }
}

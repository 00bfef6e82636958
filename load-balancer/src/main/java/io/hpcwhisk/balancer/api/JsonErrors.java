package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Json;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes the API's error answer, {@code {"error": message, "code": requestId}}, as JSON. */
public final class JsonErrors {

  private JsonErrors() {}

  /** Writes {@code status} with the error body and completes {@code callback}. */
  public static void write(
      Response response, Callback callback, int status, String message, String requestId) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("error", message);
    body.put("code", requestId);
    byte[] bytes = Json.bytes(body);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /**
   * Answers a body that could not be read ({@link BodyReader#refusal}): the refusal's status and
   * message, closing the connection when it says so; a failed read fails the callback.
   */
  public static void refuse(
      Response response,
      Callback callback,
      BodyReader bodies,
      BodyReader.Outcome outcome,
      boolean code,
      String busyScope,
      String requestId) {
    if (outcome instanceof BodyReader.Outcome.Failed f) {
      callback.failed(f.cause());
      return;
    }
    BodyReader.Refusal r =
        bodies
            .refusal(outcome, code, busyScope)
            .orElseThrow(() -> new IllegalArgumentException("not a refusal: " + outcome));
    if (r.close()) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
    write(response, callback, r.status(), r.message(), requestId);
  }
}

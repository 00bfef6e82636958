package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.invoke.ActivationIds;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answers for requests it refuses before (or outside) the API handler, such as malformed or
 * ambiguous URIs ({@code %2F}, {@code ..} above the root, bad percent-encoding, control
 * characters), headers or URIs that are too long, and failures no handler answered: the API's
 * {@code {"error": ..., "code": ...}} body with the status Jetty chose, for every method, never
 * HTML and never a stack trace.
 */
public final class JsonErrorHandler extends ErrorHandler {

  /** Jetty's reasons are short; anything longer is cut so no request text is echoed at length. */
  private static final int MAX_REASON = 200;

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int code = response.getStatus();
    Object status = request.getAttribute(ERROR_STATUS);
    if (status instanceof Integer s) {
      code = s;
    }
    String reason = request.getAttribute(ERROR_MESSAGE) instanceof String m ? m : null;
    if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException e) {
      code = e.getCode();
      reason = e.getReason();
    }
    if (code < 400 || code > 599) {
      code = HttpStatus.INTERNAL_SERVER_ERROR_500;
    }
    String id = ActivationIds.next();
    response.setStatus(code);
    response.getHeaders().put("X-Request-ID", id);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.write(true, ByteBuffer.wrap(body(code, reason, id)), callback);
    return true;
  }

  /** The body of a response Jetty writes itself when it cannot even parse the request. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    String id = ActivationIds.next();
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
    fields.put("X-Request-ID", id);
    return ByteBuffer.wrap(body(status, reason, id));
  }

  static byte[] body(int status, String reason, String id) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("error", message(status, reason));
    body.put("code", id);
    return Json.bytes(body);
  }

  /**
   * What the caller reads: the status's meaning and Jetty's reason, if it gave one other than the
   * status name.
   */
  static String message(int status, String reason) {
    if (status == HttpStatus.INTERNAL_SERVER_ERROR_500) {
      return "There was an error processing your request.";
    }
    String name = HttpStatus.getMessage(status);
    String text = "The request was refused by the HTTP server: " + name;
    if (reason != null && !reason.isBlank() && !reason.equalsIgnoreCase(name)) {
      String clean = reason.replaceAll("\\p{Cntrl}", "?");
      text +=
          " ("
              + (clean.length() > MAX_REASON ? clean.substring(0, MAX_REASON) + "..." : clean)
              + ")";
    }
    return text + ".";
  }
}

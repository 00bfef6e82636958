package io.hpcwhisk.balancer.entity;

/**
 * A request refused with an HTTP status and OpenWhisk's message; the API turns it into {@code
 * {"error": message, "code": requestId}}. Thrown at the boundary, never for action failures.
 */
public final class Rejection extends RuntimeException {

  public static final String NOT_FOUND = "The requested resource does not exist.";
  public static final String FORBIDDEN =
      "The supplied authentication is not authorized to access this resource.";
  public static final String CONFLICT_EXISTS = "resource already exists";
  public static final String CONFORMANCE =
      "Resource by this name exists but is not in this collection.";

  private final int status;

  public Rejection(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static Rejection badRequest(String message) {
    return new Rejection(400, message);
  }

  /** 400 for content that does not parse or break a requirement, as OpenWhisk words it. */
  public static Rejection malformed(String detail) {
    return new Rejection(400, "The request content was malformed:\n" + detail);
  }

  public static Rejection notFound() {
    return new Rejection(404, NOT_FOUND);
  }

  public static Rejection forbidden() {
    return new Rejection(403, FORBIDDEN);
  }

  public static Rejection conflict(String message) {
    return new Rejection(409, message);
  }
}

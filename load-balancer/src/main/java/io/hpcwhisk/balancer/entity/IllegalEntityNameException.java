package io.hpcwhisk.balancer.entity;

/**
 * A namespace, package or entity name that breaks OpenWhisk's naming rules; the API answers 400.
 */
public final class IllegalEntityNameException extends IllegalArgumentException {
  public IllegalEntityNameException(String message) {
    super(message);
  }
}

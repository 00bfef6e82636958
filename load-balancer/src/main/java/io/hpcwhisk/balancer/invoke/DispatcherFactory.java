package io.hpcwhisk.balancer.invoke;

import java.time.InstantSource;
import java.util.function.Supplier;

/**
 * Makes the server's dispatcher once the server knows its clock; {@code apiHost} gives the API's
 * base URL (known only after the port is bound) for actions that call back ({@code __OW_API_HOST}).
 */
@FunctionalInterface
public interface DispatcherFactory {
  ActivationDispatcher create(InstantSource clock, Supplier<String> apiHost);
}

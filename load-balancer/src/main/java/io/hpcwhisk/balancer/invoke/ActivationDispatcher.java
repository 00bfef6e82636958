package io.hpcwhisk.balancer.invoke;

import io.hpcwhisk.balancer.entity.DeviceRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Where activations run. The balancer implements it by routing to live pilots; the {@code
 * LocalRuntimeDispatcher} by running runtimes on the server's own machine; a server with no
 * executor uses {@link NoExecutorDispatcher}. The returned future completes with the outcome,
 * including action failures and whisk errors; it completes exceptionally only on a bug.
 */
public interface ActivationDispatcher extends AutoCloseable {

  CompletableFuture<RunOutcome> dispatch(RunRequest request);

  /** One line for the log and {@code GET /}: what executes activations here. */
  String description();

  /**
   * The action at {@code actionPath} ({@code ns/pkg/name}) was deleted or replaced: runtimes kept
   * warm for its versions (and their files) can go. Executors that keep nothing here do nothing.
   */
  default void forget(String actionPath) {}

  /**
   * The most cores and GPUs a pilot of this executor offered since it started, to refuse actions
   * that ask for more ({@code limits.cpu}, annotation {@code gpus}); {@link
   * io.hpcwhisk.balancer.entity.DeviceRequest.Largest#UNKNOWN} while no pilot has registered (or
   * for executors without pilots): then only the fixed ceilings apply.
   */
  default DeviceRequest.Largest largestPilot() {
    return DeviceRequest.Largest.UNKNOWN;
  }

  @Override
  default void close() {}
}

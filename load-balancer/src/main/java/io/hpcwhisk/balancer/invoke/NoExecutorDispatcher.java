package io.hpcwhisk.balancer.invoke;

import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;

/**
 * The dispatcher of a server that has nothing to run actions with: every activation ends at once in
 * a whisk internal error that says so. Nothing is pretended to have run.
 */
public final class NoExecutorDispatcher implements ActivationDispatcher {

  private final InstantSource clock;
  private final String reason;

  public NoExecutorDispatcher(InstantSource clock, String reason) {
    this.clock = clock;
    this.reason = reason;
  }

  @Override
  public CompletableFuture<RunOutcome> dispatch(RunRequest request) {
    return CompletableFuture.completedFuture(
        RunOutcome.whiskError(
            "No executor is configured to run actions on this server: " + reason, clock.millis()));
  }

  @Override
  public String description() {
    return "none (" + reason + ")";
  }
}

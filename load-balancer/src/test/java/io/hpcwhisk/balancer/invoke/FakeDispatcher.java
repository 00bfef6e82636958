package io.hpcwhisk.balancer.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A test fake executor: it runs no code, it echoes. Success returns the parameters; parameter
 * {@code fail} = "application" / "developer" gives that error; {@code holdMs} delays the outcome;
 * {@code hold} = true (or the hold-all mode) never completes until {@link #close()}.
 */
public final class FakeDispatcher implements ActivationDispatcher {

  private final InstantSource clock = InstantSource.system();
  private final boolean holdAll;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  public final List<RunRequest> requests = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<RunOutcome>> held = new CopyOnWriteArrayList<>();

  public FakeDispatcher(boolean holdAll) {
    this.holdAll = holdAll;
  }

  public FakeDispatcher() {
    this(false);
  }

  @Override
  public CompletableFuture<RunOutcome> dispatch(RunRequest request) {
    requests.add(request);
    JsonNode p = request.params();
    long start = clock.millis();
    if (holdAll || p.path("hold").asBoolean(false)) {
      CompletableFuture<RunOutcome> f = new CompletableFuture<>();
      held.add(f);
      return f;
    }
    String fail = p.path("fail").asText("");
    ActivationResponse response =
        switch (fail) {
          case "application" ->
              ActivationResponse.error(ActivationResponse.APPLICATION_ERROR, "application failed");
          case "developer" ->
              ActivationResponse.error(ActivationResponse.DEVELOPER_ERROR, "developer error");
          default -> ActivationResponse.success(p.deepCopy());
        };
    long holdMs = p.path("holdMs").asLong(0);
    CompletableFuture<RunOutcome> f = new CompletableFuture<>();
    Runnable finish =
        () ->
            f.complete(
                new RunOutcome(
                    response, List.of("fake ran " + request.action()), start, clock.millis(), 3L));
    if (holdMs > 0) {
      timer.schedule(finish, holdMs, TimeUnit.MILLISECONDS);
    } else {
      finish.run();
    }
    return f;
  }

  @Override
  public String description() {
    return "fake test dispatcher (echoes parameters, runs no code)";
  }

  @Override
  public void close() {
    timer.shutdownNow();
    held.forEach(f -> f.cancel(false));
  }
}

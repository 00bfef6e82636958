package io.hpcwhisk.balancer.feeds;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.DeviceRequest;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.invoke.ActivationDispatcher;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's dispatcher with the feed actions of {@code /whisk.system/alarms} answered in the
 * server: their activations are recorded like any action's (in the caller's namespace), with the
 * feed's answer as result or, for a refused request, an application error whose {@code error} names
 * the bad parameter and what was expected. Every other activation goes to the executor.
 */
public final class FeedDispatcher implements ActivationDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(FeedDispatcher.class);

  private final ActivationDispatcher executor;
  private final AlarmService alarms;
  private final InstantSource clock;

  public FeedDispatcher(ActivationDispatcher executor, AlarmService alarms, InstantSource clock) {
    this.executor = executor;
    this.alarms = alarms;
    this.clock = clock;
  }

  /** The alarm feed an action path names, or null for any other action. */
  static Alarm.Kind feedOf(EntityPath action) {
    if (!AlarmsPackage.NAMESPACE.equals(action.namespace())
        || !AlarmsPackage.PACKAGE.equals(action.pkg())) {
      return null;
    }
    return Alarm.Kind.ofFeed(action.name());
  }

  @Override
  public CompletableFuture<RunOutcome> dispatch(RunRequest request) {
    Alarm.Kind kind = feedOf(request.action());
    if (kind == null) {
      return executor.dispatch(request);
    }
    long start = clock.millis();
    ObjectNode params = request.params();
    String event = params.path("lifecycleEvent").asText("?");
    ActivationResponse response;
    String line;
    try {
      ObjectNode result = alarms.handle(kind, request.namespace(), params);
      response = ActivationResponse.success(result);
      line = kind.feed() + " feed: " + event + " " + params.path("triggerName").asText() + ": ok";
    } catch (FeedError e) {
      response = ActivationResponse.of(ActivationResponse.APPLICATION_ERROR, error(e.getMessage()));
      line = kind.feed() + " feed: " + event + " refused: " + e.getMessage();
    } catch (RuntimeException e) {
      LOG.error(
          "alarms feed {} failed inside the server (activation {})",
          kind.feed(),
          request.activationId(),
          e);
      response =
          ActivationResponse.whiskError(
              "The alarms feed failed inside the server; the administrator's log has the"
                  + " details (activation "
                  + request.activationId()
                  + ").");
      line = kind.feed() + " feed: " + event + " failed inside the server";
    }
    long end = Math.max(start, clock.millis());
    String logLine = Instant.ofEpochMilli(end) + " stdout: " + line;
    return CompletableFuture.completedFuture(
        new RunOutcome(response, List.of(logLine), start, end, null));
  }

  private static ObjectNode error(String message) {
    return Json.MAPPER.createObjectNode().put("error", message);
  }

  @Override
  public String description() {
    return executor.description();
  }

  @Override
  public void forget(String actionPath) {
    executor.forget(actionPath);
  }

  /** The executor's largest pilot (the API checks cores and GPUs against it). */
  @Override
  public DeviceRequest.Largest largestPilot() {
    return executor.largestPilot();
  }

  @Override
  public void close() {
    executor.close();
  }
}

package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.invoke.OwnershipLost;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link PilotDispatcher} keeps while its server's ownership lease has lapsed (used under its
 * lock): the activations that ended meanwhile, their futures not yet completed, and those found
 * still owned by the re-read of what the server owns.
 */
final class FenceBook {

  private static final Logger LOG = LoggerFactory.getLogger(FenceBook.class);

  private record Parked(CompletableFuture<RunOutcome> result, Runnable completion) {}

  /** The dispatch machine is held: results are parked here. */
  boolean fenced;

  private volatile BooleanSupplier fence;

  void fence(BooleanSupplier holds) {
    fence = holds;
  }

  /** Whether the fence stopped holding just now: then this book is fenced (hold the machine). */
  boolean lapsedNow() {
    BooleanSupplier f = fence;
    if (f == null || fenced || f.getAsBoolean()) {
      return false;
    }
    fenced = true;
    LOG.warn(
        "this server's ownership lease lapsed (no heartbeat committed in time): nothing goes to"
            + " pilots and no result is handed on until it has re-read what it still owns");
    return true;
  }

  /** Logs a send that went out although the fence no longer held (a pause right before it). */
  void checkSent(String activationId, String pilotId) {
    BooleanSupplier f = fence;
    if (f != null && !f.getAsBoolean()) {
      LOG.error(
          "activation {} went to pilot {} just as this server's ownership lease ran out (the"
              + " server paused between the check and the send?): if another server takes it over"
              + " it may run twice",
          activationId,
          pilotId);
    }
  }

  private final Map<String, Parked> parked = new LinkedHashMap<>();
  private final Set<String> checked = new HashSet<>();

  void park(String id, CompletableFuture<RunOutcome> result, Runnable completion) {
    parked.put(id, new Parked(result, completion));
  }

  /** Of {@code held} (the dispatcher's activations) and the parked ones, those not yet checked. */
  Set<String> unchecked(Set<String> held) {
    Set<String> out = new HashSet<>(held);
    out.addAll(parked.keySet());
    out.removeAll(checked);
    return out;
  }

  /**
   * Drops the parked results of {@code lost} (their futures fail with {@link OwnershipLost}, in
   * {@code after}); returns the lost ids that are not parked.
   */
  Set<String> dropParked(Set<String> lost, String reason, List<Runnable> after) {
    Set<String> rest = new HashSet<>();
    for (String id : lost) {
      Parked p = parked.remove(id);
      if (p == null) {
        rest.add(id);
        continue;
      }
      LOG.warn("dropped the result of activation {} that came while silent: {}", id, reason);
      after.add(() -> p.result().completeExceptionally(new OwnershipLost(id, reason)));
    }
    return rest;
  }

  /**
   * Notes {@code checkedNow} as still owned; when everything {@code held} (and parked) is checked,
   * ends the fence, hands the parked results on (in {@code after}) and returns true.
   */
  boolean settle(Set<String> checkedNow, Set<String> lost, Set<String> held, List<Runnable> after) {
    checked.addAll(checkedNow);
    checked.removeAll(lost);
    if (!unchecked(held).isEmpty()) {
      return false;
    }
    fenced = false;
    checked.clear();
    parked.values().forEach(p -> after.add(p.completion()));
    parked.clear();
    return true;
  }
}

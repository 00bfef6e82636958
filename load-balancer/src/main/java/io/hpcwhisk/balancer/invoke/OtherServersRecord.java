package io.hpcwhisk.balancer.invoke;

import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.store.ActivationStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record another server writes for an activation it took over from this one ({@link
 * OwnershipLost}), read back from the store for a caller that waits here: every 100 ms, backing off
 * to 1 s, until it is there or {@link #limit} has passed (then the future fails with the {@link
 * OwnershipLost}, and a caller still waiting gets 202 with the id).
 */
final class OtherServersRecord {

  private static final Logger LOG = LoggerFactory.getLogger(OtherServersRecord.class);

  private final ActivationStore activations;
  private volatile Duration limit = Duration.ofSeconds(65);

  OtherServersRecord(ActivationStore activations) {
    this.activations = activations;
  }

  void limit(Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("a positive duration is required, got " + d);
    }
    limit = d;
  }

  CompletableFuture<ActivationRecord> of(String namespace, String id, OwnershipLost lost) {
    LOG.info("activation {} of {}: {}; answering with that server's record", id, namespace, lost);
    CompletableFuture<ActivationRecord> out = new CompletableFuture<>();
    poll(namespace, id, out, lost, System.nanoTime() + limit.toNanos(), 100);
    return out;
  }

  private void poll(
      String namespace,
      String id,
      CompletableFuture<ActivationRecord> out,
      OwnershipLost lost,
      long untilNanos,
      long delayMs) {
    CompletableFuture.runAsync(
        () -> {
          Optional<ActivationRecord> r = Optional.empty();
          try {
            r = activations.get(namespace, id);
          } catch (RuntimeException e) {
            // the store is away: ask again
          }
          if (r.isPresent()) {
            out.complete(r.get());
          } else if (System.nanoTime() - untilNanos > 0) {
            out.completeExceptionally(lost);
          } else {
            poll(namespace, id, out, lost, untilNanos, Math.min(1000, delayMs * 2));
          }
        },
        CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
  }
}

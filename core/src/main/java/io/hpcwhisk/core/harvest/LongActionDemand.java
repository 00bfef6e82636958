package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.time.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The controller's demand rule for long actions: when an activation waits in the balancer's queue,
 * a pilot long enough to run it must be running or on the way. A pure decision over the policy's
 * intents: {@code apply(intents, demand, snapshot, fleet, maxPending, maxPilot) -> decision}.
 *
 * <p><b>Algorithm.</b> Only a waiting timeout above {@link #LONG} counts. {@code need} = the
 * longest waiting activation's timeout plus {@link #START_MARGIN} (the pilot's start and
 * registration), rounded up to whole minutes. Nothing changes when no activation waits, when {@code
 * need} is not longer than {@code maxPilot} allows (no pilot could serve it: the reason says so and
 * the activation ends when its queue wait runs out), or when a running pilot has {@code need} left.
 * Otherwise, if a pending pilot or a submission of this pass is at least {@code need} long, it
 * <i>covers</i> the demand: the policy's cancels of that pilot (surplus, over the bound) are
 * dropped, so it is not cancelled and submitted again every pass. Else the first untargeted
 * submission of the pass is made {@code need} long, or, if there is none and fewer than {@code
 * maxPending} pilots are pending, one untargeted pilot of {@code need} (no {@code --time-min}, nice
 * 0) is submitted first. Such a pilot starts only on a node whose gap is at least that long (Slurm
 * backfills a job only where it fits whole), so the gap caps it.
 *
 * <p><b>Example.</b> A 20-minute action waits, the running pilots have 8 minutes left, the pool
 * submits one 10-minute pilot: that submission becomes 21 minutes long ("long action waits: 20m
 * timeout + 1m start"). The next pass sees it pending and keeps it even if the pool is full.
 *
 * <p><b>Known caveats.</b> It looks at the longest timeout only: several long actions get one long
 * pilot per pass at most, more follow as they keep waiting. A pilot that covers the demand but is
 * full (memory) still counts as covering it.
 */
public final class LongActionDemand {

  /**
   * Waiting timeouts up to this (OpenWhisk's 5-minute maximum) change nothing: the router may give
   * such actions to a pilot with less time left, as {@code Router.LATE_FALLBACK_LIMIT} says.
   */
  public static final Duration LONG = Duration.ofMinutes(5);

  /** Added to the waiting timeout for the pilot's own start and registration. */
  public static final Duration START_MARGIN = Duration.ofMinutes(1);

  private LongActionDemand() {}

  /**
   * What the balancer's queue asks of the controller.
   *
   * @param longestWaitingTimeout the longest timeout among the waiting activations; zero when none
   *     waits
   */
  public record Demand(Duration longestWaitingTimeout) {
    public static final Demand NONE = new Demand(Duration.ZERO);

    public Demand {
      Objects.requireNonNull(longestWaitingTimeout, "longestWaitingTimeout");
      if (longestWaitingTimeout.isNegative()) {
        throw new IllegalArgumentException(
            "longest waiting timeout must not be negative, got " + longestWaitingTimeout);
      }
    }

    public static Demand ofMillis(long longestWaitingTimeoutMs) {
      return new Demand(Duration.ofMillis(Math.max(0, longestWaitingTimeoutMs)));
    }

    public boolean none() {
      return longestWaitingTimeout.isZero();
    }
  }

  /** The intents to carry out, and why they differ from the policy's (or why not). */
  public record Decision(List<Intent> intents, String reason) {
    public Decision {
      intents = List.copyOf(intents);
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The pilot length that serves a waiting timeout: timeout + margin, in whole minutes up. */
  public static Duration need(Duration timeout) {
    Duration raw = timeout.plus(START_MARGIN);
    long minutes = (raw.toSeconds() + 59) / 60;
    return Duration.ofMinutes(minutes);
  }

  public static Decision apply(
      List<Intent> intents,
      Demand demand,
      ClusterSnapshot snapshot,
      Fleet fleet,
      int maxPending,
      Duration maxPilot) {
    if (demand.none()) {
      return new Decision(intents, "no activation waits");
    }
    Duration timeout = demand.longestWaitingTimeout();
    if (timeout.compareTo(LONG) <= 0) {
      return new Decision(
          intents,
          "the longest waiting timeout, "
              + Durations.format(timeout)
              + ", is not above "
              + Durations.format(LONG)
              + ": any pilot may take it");
    }
    Duration need = need(timeout);
    String what =
        "long action waits: "
            + Durations.format(timeout)
            + " timeout + "
            + Durations.format(START_MARGIN)
            + " start = "
            + Durations.format(need);
    if (need.compareTo(maxPilot) > 0) {
      return new Decision(
          intents,
          what
              + " is longer than the longest pilot (max-pilot "
              + Durations.format(maxPilot)
              + ")");
    }
    for (Pilot running : fleet.running()) {
      Optional<Duration> left = running.endTime().map(end -> Duration.between(snapshot.now(), end));
      if (left.isPresent() && left.get().compareTo(need) >= 0) {
        return new Decision(
            intents,
            what
                + "; running pilot "
                + running.id()
                + " has "
                + Durations.format(left.get().withNanos(0))
                + " left");
      }
    }
    Optional<Pilot> covering =
        fleet.pending().stream()
            .filter(p -> p.shape().time().compareTo(need) >= 0)
            .max(Comparator.comparing((Pilot p) -> p.shape().time()));
    if (covering.isPresent()) {
      List<Intent> kept = new ArrayList<>(intents.size());
      int dropped = 0;
      for (Intent intent : intents) {
        if (intent instanceof Intent.CancelPilot cancel
            && cancel.jobId().equals(covering.get().id())
            && cancel.cause() != Intent.Cause.PREEMPTING
            && cancel.cause() != Intent.Cause.WINDOW_GONE) {
          dropped++;
          continue;
        }
        kept.add(intent);
      }
      return new Decision(
          kept,
          what
              + "; pending pilot "
              + covering.get().id()
              + " of "
              + Durations.format(covering.get().shape().time())
              + " covers it"
              + (dropped > 0 ? " (kept: the policy's cancel of it dropped)" : ""));
    }
    for (Intent intent : intents) {
      if (intent instanceof Intent.SubmitPilot submit
          && submit.shape().time().compareTo(need) >= 0) {
        return new Decision(
            intents,
            what + "; a submission of " + Durations.format(submit.shape().time()) + " covers it");
      }
    }
    List<Intent> out = new ArrayList<>(intents);
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i) instanceof Intent.SubmitPilot submit && !submit.shape().targeted()) {
        PilotShape s = submit.shape();
        PilotShape longer =
            new PilotShape(
                s.partition(), s.qos(), need, Optional.empty(), s.nice(), s.targetNode());
        out.set(
            i,
            new Intent.SubmitPilot(
                longer,
                submit.reason()
                    + "; made "
                    + Durations.format(need)
                    + " long by the demand rule ("
                    + what
                    + ")"));
        return new Decision(
            out, what + "; an untargeted submission made " + Durations.format(need) + " long");
      }
    }
    int pending = fleet.pending().size() + submissions(intents);
    if (pending >= maxPending) {
      return new Decision(
          intents,
          what
              + "; no pilot that long is pending, but "
              + pending
              + " pending reach max-pending "
              + maxPending);
    }
    PilotShape shape =
        new PilotShape(
            snapshot.target().partition(),
            snapshot.target().qos(),
            need,
            Optional.empty(),
            0,
            Optional.empty());
    int first = 0;
    while (first < out.size() && !(out.get(first) instanceof Intent.SubmitPilot)) {
      first++;
    }
    out.add(first, new Intent.SubmitPilot(shape, "demand: " + what));
    return new Decision(out, what + "; submitted an untargeted pilot of " + Durations.format(need));
  }

  private static int submissions(List<Intent> intents) {
    int n = 0;
    for (Intent intent : intents) {
      if (intent instanceof Intent.SubmitPilot) {
        n++;
      }
    }
    return n;
  }
}

package io.hpcwhisk.core.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Picks the pilot for an activation: {@code choose(pilots, request, now) -> decision}.
 *
 * <p><b>Algorithm.</b> (1) Keep the pilots that can take the activation now: healthy, not draining,
 * serving its namespace (a single-tenant pilot, one without a sandbox, serves one namespace only),
 * running its kind, with enough free memory (and free cores and GPUs when the activation asks for
 * them: {@link RoutingRequest#cores()}, {@link RoutingRequest#gpus()}). (2) Split them by deadline:
 * <i>in time</i> if the pilot's job ends at least {@code timeout} after {@code now}, <i>late</i>
 * otherwise. Only when no in-time pilot can take it may a late one get it — the activation would
 * then run on a pilot that may be preempted under it, which re-dispatch covers. A <i>long</i>
 * action (timeout above {@link #LATE_FALLBACK_LIMIT}, OpenWhisk's 5-minute maximum) never goes to a
 * late pilot: it is refused ({@code no_time_left}, naming the time it needs and the most any pilot
 * has) and waits for a pilot with time, since re-running it would cost more than waiting. (3)
 * Within the chosen group, probe in OpenWhisk's order: sort the pilots by id, start at a
 * <i>home</i> index given by the action's hash and step by a number co-prime to the group's size,
 * so every pilot is visited once and one action keeps landing on the same pilots. The first probed
 * pilot with a warm runtime for the action wins; if none is warm, the first probed pilot does (that
 * is the home pilot when it has room).
 *
 * <p><b>Example.</b> Pilots a, b, c (sorted), action {@code /guest/hello@0.0.1} hashing to home 1
 * with step 2: probe order b, a, c. If c holds a warm runtime for the action, c wins ("warm
 * runtime"); if no pilot is warm, b wins ("home pilot"). If b's job ends in 10 s and the action's
 * timeout is 60 s, b is late and is only used when neither a nor c can take the activation.
 *
 * <p><b>Capacity.</b> The router does not reserve memory; the caller reserves {@code memoryMb} on
 * the chosen pilot before it routes the next activation, and releases it when the activation ends.
 *
 * <p><b>Known caveats.</b> Affinity is by sorted position, so a pilot joining or leaving shifts the
 * home of some actions (OpenWhisk has the same caveat). Warmth is as recent as the pilot's last
 * heartbeat. The deadline rule trusts the action's timeout as an upper bound of its run time.
 */
public final class Router {

  /**
   * The longest timeout for which a late pilot may still be used when no in-time pilot can take the
   * activation: 5 minutes, OpenWhisk's own maximum. Longer actions go only to in-time pilots.
   */
  public static final Duration LATE_FALLBACK_LIMIT = Duration.ofMinutes(5);

  private Router() {}

  public static RoutingDecision choose(
      List<PilotView> pilots, RoutingRequest request, Instant now) {
    if (pilots.isEmpty()) {
      return new RoutingDecision.Refused(RoutingDecision.Cause.NO_PILOTS, "no pilot is registered");
    }
    List<PilotView> open =
        pilots.stream().filter(p -> p.health().acceptsWork() && !p.draining()).toList();
    if (open.isEmpty()) {
      return new RoutingDecision.Refused(
          RoutingDecision.Cause.NO_HEALTHY_PILOT,
          "none of " + pilots.size() + " pilots is healthy and accepting work");
    }
    List<PilotView> tenant = open.stream().filter(p -> p.serves(request.namespace())).toList();
    if (tenant.isEmpty()) {
      return new RoutingDecision.Refused(
          RoutingDecision.Cause.NOT_FOR_NAMESPACE,
          "none of "
              + open.size()
              + " healthy pilots serves namespace "
              + request.namespace()
              + " (each is single-tenant, unsandboxed,"
              + " for another namespace)");
    }
    List<PilotView> forKind =
        tenant.stream().filter(p -> p.kinds().contains(request.kind())).toList();
    if (forKind.isEmpty()) {
      return new RoutingDecision.Refused(
          RoutingDecision.Cause.KIND_NOT_SUPPORTED, "no healthy pilot runs kind " + request.kind());
    }
    if (forKind.stream().allMatch(p -> p.memoryMb() < request.memoryMb())) {
      int largest = forKind.stream().mapToInt(PilotView::memoryMb).max().orElse(0);
      return new RoutingDecision.Refused(
          RoutingDecision.Cause.TOO_LARGE,
          "the action needs "
              + request.memoryMb()
              + " MB; the largest pilot offers "
              + largest
              + " MB");
    }
    if (request.gpus() > 0 && forKind.stream().noneMatch(p -> p.gpus() > 0)) {
      return new RoutingDecision.Refused(
          RoutingDecision.Cause.NO_GPU_PILOT,
          "the action asks for "
              + request.gpus()
              + " GPU(s) and none of the "
              + forKind.size()
              + " healthy pilots for kind "
              + request.kind()
              + " holds a GPU (no GPU pilot is live)");
    }
    List<PilotView> capable =
        forKind.stream()
            .filter(p -> p.memoryMb() >= request.memoryMb() && p.couldHold(request))
            .toList();
    if (capable.isEmpty()) {
      return new RoutingDecision.Refused(
          RoutingDecision.Cause.TOO_LARGE,
          "the action needs "
              + request.cores()
              + " core(s) and "
              + request.gpus()
              + " GPU(s); the largest pilot offers "
              + forKind.stream().mapToInt(PilotView::cores).max().orElse(0)
              + " core(s) and "
              + forKind.stream().mapToInt(PilotView::gpus).max().orElse(0)
              + " GPU(s)");
    }
    List<PilotView> fits =
        capable.stream()
            .filter(p -> p.freeMemoryMb() >= request.memoryMb() && p.hasRoomFor(request))
            .toList();
    if (fits.isEmpty()) {
      return new RoutingDecision.Refused(
          RoutingDecision.Cause.NO_CAPACITY,
          "all "
              + forKind.size()
              + " pilots for kind "
              + request.kind()
              + " are full ("
              + request.memoryMb()
              + " MB"
              + (request.cores() > 0 ? ", " + request.cores() + " core(s)" : "")
              + (request.gpus() > 0 ? ", " + request.gpus() + " GPU(s)" : "")
              + " needed)");
    }
    Instant mustLastUntil = now.plus(request.timeout());
    List<PilotView> inTime =
        fits.stream().filter(p -> !p.deadline().isBefore(mustLastUntil)).toList();
    if (!inTime.isEmpty()) {
      return probe(inTime, request, "");
    }
    PilotView latest = fits.stream().max(Comparator.comparing(PilotView::deadline)).orElseThrow();
    Duration left = Duration.between(now, latest.deadline());
    if (request.timeout().compareTo(LATE_FALLBACK_LIMIT) > 0) {
      return new RoutingDecision.Refused(
          RoutingDecision.Cause.NO_TIME_LEFT,
          "the action's timeout is "
              + request.timeout().toSeconds()
              + " s and none of "
              + fits.size()
              + " pilots with room for it has that long left in its Slurm job (the most is "
              + Math.max(0, left.toSeconds())
              + " s)");
    }
    return probe(
        fits,
        request,
        "; no pilot has "
            + request.timeout().toSeconds()
            + " s left, the best has "
            + Math.max(0, left.toSeconds())
            + " s");
  }

  private static RoutingDecision probe(List<PilotView> group, RoutingRequest request, String note) {
    List<PilotView> sorted = new ArrayList<>(group);
    sorted.sort(Comparator.comparing(PilotView::id));
    List<PilotView> order = probeOrder(sorted, request.action());
    Optional<PilotView> warm =
        order.stream().filter(p -> p.warmActions().contains(request.action())).findFirst();
    if (warm.isPresent()) {
      return new RoutingDecision.Routed(
          warm.get().id(), "warm runtime for " + request.action() + note);
    }
    return new RoutingDecision.Routed(
        order.get(0).id(), "home pilot for " + request.action() + " (no warm runtime)" + note);
  }

  /**
   * The pilots in probe order: from the action's home index, stepping by a co-prime of the size.
   */
  static List<PilotView> probeOrder(List<PilotView> sorted, String action) {
    int n = sorted.size();
    int hash = action.hashCode() & 0x7fffffff;
    int home = hash % n;
    int step = coprimeStep(n, hash);
    List<PilotView> order = new ArrayList<>(n);
    for (int i = 0, index = home; i < n; i++, index = (index + step) % n) {
      order.add(sorted.get(index));
    }
    return order;
  }

  /** A step in 1..n co-prime to n chosen by the hash, so that stepping visits every index once. */
  static int coprimeStep(int n, int hash) {
    List<Integer> steps = new ArrayList<>();
    for (int s = 1; s <= n; s++) {
      if (gcd(s, n) == 1) {
        steps.add(s);
      }
    }
    return steps.get(hash % steps.size());
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}

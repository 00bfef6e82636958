package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.time.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * HPC-Whisk's "Var" shapes (SC22): one shape whose length the scheduler picks.
 *
 * <p><b>Algorithm.</b> Keep K untargeted pilots of {@code --time T --time-min Tmin} pending;
 * Slurm's backfill shrinks each to the gap it starts in. Pending pilots of any other shape, and the
 * newest beyond K, are cancelled.
 *
 * <p><b>Example.</b> K=100, T=2h, Tmin=2m, 97 pending: 3 submissions. A 10-minute planned window
 * starts one of them with a 10-minute limit; an unbounded idle node starts one for 2 h.
 *
 * <p><b>Known caveats.</b> Slurm only shrinks toward {@code --time-min} in whole minutes, and the
 * SC22 run found that it leaves more idle time uncovered than Fib (68.2 % vs 89.97 %).
 */
final class VarPolicy implements HarvestPolicy {

  private final VarParams params;

  VarPolicy(VarParams params) {
    this.params = params;
  }

  @Override
  public String name() {
    return "var";
  }

  @Override
  public int maxPending() {
    return params.pending();
  }

  @Override
  public List<Intent> decide(ClusterSnapshot snapshot, Fleet fleet) {
    HarvestTarget target = snapshot.target();
    PilotShape shape =
        new PilotShape(
            target.partition(),
            target.qos(),
            params.time(),
            Optional.of(params.timeMin()),
            0,
            Optional.empty());
    List<Intent> intents = new ArrayList<>();
    List<Pilot> matching = new ArrayList<>();
    for (Pilot pilot : fleet.pending()) {
      if (isVarShape(pilot.shape())) {
        matching.add(pilot);
      } else {
        intents.add(
            new Intent.CancelPilot(
                pilot.id(),
                Intent.Cause.OFF_SHAPE,
                "var: pending pilot "
                    + pilot.shape()
                    + " is not the var shape "
                    + Durations.format(params.time())
                    + " untargeted"));
      }
    }
    for (Pilot extra :
        matching.subList(Math.min(params.pending(), matching.size()), matching.size())) {
      intents.add(
          new Intent.CancelPilot(
              extra.id(),
              Intent.Cause.SURPLUS,
              "var: " + matching.size() + " pending, keep " + params.pending()));
    }
    for (int i = matching.size(); i < params.pending(); i++) {
      intents.add(
          new Intent.SubmitPilot(
              shape, "var: keep " + params.pending() + " pending (had " + matching.size() + ")"));
    }
    return List.copyOf(intents);
  }

  /**
   * Matches on what the scheduler reports back reliably: length and no target (QOS and nice may be
   * filled in).
   */
  private boolean isVarShape(PilotShape shape) {
    return !shape.targeted() && shape.time().equals(params.time());
  }
}

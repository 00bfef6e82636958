package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.Fleet;
import io.hpcwhisk.core.harvest.Pilot;
import io.hpcwhisk.core.harvest.PilotShape;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SimPilotTest {

  static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");
  static final String[] NAMES = {"n1", "n2"};
  static final PilotShape VAR =
      new PilotShape(
          "whisk",
          Optional.empty(),
          Duration.ofHours(2),
          Optional.of(Duration.ofMinutes(2)),
          0,
          Optional.empty());

  /** What the live controller's fleet makes of the job Slurm reports for this pilot. */
  static Pilot asTheLiveControllerSeesIt(SimPilot pilot) {
    return Fleet.fromJobs(
            List.of(pilot.job(ORIGIN, TimeBase.SECONDS, NAMES)), PilotHarvester.PILOT_PREFIX)
        .pilots()
        .get(0);
  }

  @Test
  void aPilotTimeMinShrankShowsTheTimeLimitSlurmGrantedAndDoesNotLookPreempted() {
    SimPilot pilot = new SimPilot(new JobId(5), VAR, 0);
    pilot.started(1, 100, 600); // a 10-minute window

    Pilot seen = pilot.pilot(ORIGIN, TimeBase.SECONDS, NAMES);

    assertThat(seen).isEqualTo(asTheLiveControllerSeesIt(pilot));
    assertThat(seen.shape().time()).isEqualTo(Duration.ofMinutes(10));
    assertThat(seen.endPulledIn()).isFalse();
  }

  @Test
  void aPendingAndAFullLengthPilotKeepTheShapeTheyAskedFor() {
    SimPilot pilot = new SimPilot(new JobId(6), VAR, 0);
    assertThat(pilot.pilot(ORIGIN, TimeBase.SECONDS, NAMES).shape()).isSameAs(VAR);

    pilot.started(0, 100, 7200);

    Pilot seen = pilot.pilot(ORIGIN, TimeBase.SECONDS, NAMES);
    assertThat(seen.shape()).isSameAs(VAR);
    assertThat(seen).isEqualTo(asTheLiveControllerSeesIt(pilot));
  }
}

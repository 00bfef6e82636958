package io.hpcwhisk.simulator.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.replay.ReplayMode;
import io.hpcwhisk.simulator.testing.SyntheticIdleLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Books that must balance for every policy on any log. */
class OnlineInvariantProperties {

  @Property(tries = 40)
  void pilotTimeNeverExceedsAvailableTimeAndEveryPilotEndsOnce(
      @ForAll @IntRange(min = 0, max = 2) int policyIndex,
      @ForAll @DoubleRange(min = 0, max = 60) double warmup,
      @ForAll long seed,
      @ForAll boolean randomPlacement) {
    String policy = new String[] {"fib", "var", "adaptive"}[policyIndex];
    ReplayMode.Online mode =
        new ReplayMode.Online(
            policy,
            Map.of(),
            warmup,
            30,
            randomPlacement ? ReplayMode.Placement.RANDOM : ReplayMode.Placement.LOWEST_ID);

    OnlineResult result =
        OnlineReplay.run(randomLog(seed), SampleWindow.all(), mode, seed, Progress.NONE);

    OnlineCounters c = result.counters();
    var f = result.figures();
    double available = result.facts().availableNodeSeconds();
    assertThat(c.pilotSeconds()).isLessThanOrEqualTo(available + 1e-6);
    assertThat(c.pilotSeconds())
        .isCloseTo(c.pilotSecondsReady() + c.pilotSecondsWasted(), within(1e-6));
    assertThat(f.pilots())
        .isEqualTo(
            c.pilotsPreempted()
                + c.pilotsTimedOut()
                + c.pilotsRunningAtEnd()
                + c.runningPilotsCancelled());
    assertThat(c.pilotsPreemptedBeforeReady()).isLessThanOrEqualTo(c.pilotsPreempted());
    assertThat(f.readyShare()).isLessThanOrEqualTo(f.ceilingReadyShare() + 1e-9);
    assertThat(f.unusedShare()).isGreaterThanOrEqualTo(-1e-9);
    assertThat(c.ignoredIntents()).isZero();
    for (int i = 0; i < result.facts().samples(); i++) {
      assertThat(result.timeline().readyAt(i) + result.timeline().warmingAt(i))
          .isLessThanOrEqualTo(result.facts().availableAt(i));
    }
  }

  private static Path randomLog(long seed) {
    Random random = new Random(seed);
    int samples = 50 + random.nextInt(400);
    SyntheticIdleLog log = new SyntheticIdleLog(samples);
    for (int node = 0; node < 6; node++) {
      int t = random.nextInt(20);
      while (t < samples) {
        int length = 1 + random.nextInt(random.nextBoolean() ? 10 : 200);
        log.available(node, t, Math.min(samples, t + length));
        t += length + 1 + random.nextInt(30);
      }
    }
    try {
      Path file = Files.createTempFile("idle-log", ".txt");
      file.toFile().deleteOnExit();
      return log.write(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

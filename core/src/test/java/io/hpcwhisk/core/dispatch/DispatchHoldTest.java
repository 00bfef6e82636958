package io.hpcwhisk.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.dispatch.Rig.Link;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A lapsed ownership lease holds dispatch ({@link DispatchEvent.Held}); the re-read of what the
 * server owns ends the lost activations without a run ({@link DispatchEvent.Disowned}) and resumes
 * the rest ({@link DispatchEvent.Resumed}).
 */
class DispatchHoldTest {

  private final Rig b = new Rig();

  private static final String LOST = "taken over by server s2 while this server was silent";

  @Test
  void whileHeldNothingIsSentAndAResumeDropsTheLostOnesAndSendsTheRest() {
    Link p = b.pilot("1", 512);
    b.submit("run1", false);
    b.start(p, "run1");
    b.on(new DispatchEvent.Held<>());
    assertThat(b.state.held()).isTrue();
    b.submit("q1", true);
    b.submit("q2", false);
    b.complete(p, "run1"); // frees the pilot: still nothing goes while held
    b.advance(100);
    assertThat(b.sentTo(p)).containsExactly("run1");
    assertThat(b.state.flight("q1").phase()).isEqualTo(Flight.Phase.QUEUED);

    b.on(new DispatchEvent.Disowned<>(Set.of("q2"), LOST));
    assertThat(b.sentTo(p)).as("still held").containsExactly("run1");
    List<DispatchEffect<Link>> effects = b.on(new DispatchEvent.Resumed<>());
    assertThat(b.ends("q2"))
        .containsExactly(new DispatchEffect.Complete<>("q2", DispatchEffect.DISOWNED, LOST));
    assertThat(effects).contains(new DispatchEffect.Activate<>(p, p.pilotId, "q1", 1));
    assertThat(b.sentTo(p)).containsExactly("run1", "q1");
    assertThat(b.state.held()).isFalse();
  }

  @Test
  void aLostActivationOnAPilotIsCancelledThereAndItsLateResultDroppedWithOneLogLine() {
    Link p = b.pilot("1", 512);
    b.submit("r1", false);
    b.start(p, "r1");
    b.on(new DispatchEvent.Held<>());
    List<DispatchEffect<Link>> effects = b.on(new DispatchEvent.Disowned<>(Set.of("r1"), LOST));
    assertThat(effects).contains(new DispatchEffect.Cancel<>(p, "r1", LOST));
    assertThat(b.ends("r1"))
        .containsExactly(new DispatchEffect.Complete<>("r1", DispatchEffect.DISOWNED, LOST));
    assertThat(b.state.reservedMbByPilot()).containsEntry(p.pilotId, 0);

    List<DispatchEffect<Link>> late = b.complete(p, "r1");
    assertThat(late)
        .contains(new DispatchEffect.Count<>(DispatchEffect.Counter.LATE_RESULT, "after_end", 1));
    assertThat(late.stream().filter(e -> e instanceof DispatchEffect.Log<Link>))
        .singleElement()
        .asString()
        .contains("late result of activation r1");
    assertThat(b.complete(p, "r1").stream().filter(e -> e instanceof DispatchEffect.Log<Link>))
        .as("logged once")
        .isEmpty();
    assertThat(b.ends("r1")).hasSize(1);
  }

  @Test
  void anActivationTakenBackWhileHeldWaitsForTheResume() {
    Link p = b.pilot("1", 512);
    b.submit("a1", true);
    b.on(new DispatchEvent.Held<>());
    Link q = b.pilot("2", 512);
    b.lose(p); // never started: taken back, queued at the head, not sent to pilot 2 while held
    assertThat(b.sentTo(q)).isEmpty();
    b.on(new DispatchEvent.Resumed<>());
    assertThat(b.sentTo(q)).containsExactly("a1");
  }
}

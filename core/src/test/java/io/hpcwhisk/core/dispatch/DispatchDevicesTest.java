package io.hpcwhisk.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.dispatch.Rig.Link;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cores and GPUs are reserved on the chosen pilot as memory is, and freed at the end. */
class DispatchDevicesTest {

  private final Rig b = new Rig();

  private Link pilot(String job, int cores, int gpus) {
    Link link = new Link("slurm-" + job, Integer.parseInt(job));
    b.on(
        new DispatchEvent.Registered<>(
            new PilotSpec(
                link.pilotId,
                job,
                4096,
                List.of("nodejs:20"),
                Map.of(),
                b.nowMs + 3_600_000,
                null,
                1,
                cores,
                gpus),
            link,
            false));
    b.heartbeat(link);
    return link;
  }

  private List<DispatchEffect<Link>> submit(String id, int cores, int gpus) {
    return b.on(
        new DispatchEvent.Submitted<>(
            new Activation(
                id,
                "alice",
                "/alice/" + id + "@0.0.1",
                "nodejs:20",
                256,
                60_000,
                true,
                b.nowMs,
                cores,
                gpus)));
  }

  @Test
  void twoCoreActionsWaitForCoresAndGoWhenOneEnds() {
    Link p = pilot("1", 2, 0);
    submit("a1", 2, 0);
    submit("a2", 2, 0);
    assertThat(b.sentTo(p)).containsExactly("a1");
    assertThat(b.state.flight("a2").phase()).isEqualTo(Flight.Phase.QUEUED);
    b.complete(p, "a1");
    assertThat(b.sentTo(p)).containsExactly("a1", "a2");
  }

  @Test
  void aGpuActionGoesToTheGpuPilotAndTwoOnATwoGpuPilotRunSideBySide() {
    Link cpu = pilot("1", 2, 0);
    Link gpu = pilot("2", 2, 2);
    submit("g1", 0, 1);
    submit("g2", 0, 1);
    submit("g3", 0, 1);
    assertThat(b.sentTo(gpu)).containsExactly("g1", "g2");
    assertThat(b.sentTo(cpu)).isEmpty();
    assertThat(b.state.flight("g3").phase()).isEqualTo(Flight.Phase.QUEUED);
  }

  @Test
  void aGpuActionWithoutAGpuPilotWaitsThenEndsNamingWhy() {
    pilot("1", 2, 0);
    submit("g1", 0, 1);
    b.advance(60_001);
    assertThat(b.ends("g1"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.label()).isEqualTo("queue_timeout");
              assertThat(c.error()).contains("within 60 s").contains("no GPU pilot is live");
            });
  }
}

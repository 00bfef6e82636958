package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PilotStartupMetricTest {

  final DispatcherFixture fx = new DispatcherFixture();

  PilotMessage.Register register(String job, long launchedAtMs) {
    return new PilotMessage.Register(
        "slurm-" + job,
        job,
        "n1",
        2,
        1024,
        List.of("nodejs:20"),
        Map.of(),
        fx.now.get() + 600_000,
        fx.now.get() - 5_000,
        launchedAtMs,
        "test",
        PilotProtocol.MINOR);
  }

  @Test
  void aPilotLaunchedAfterTheBalancerStartedRecordsItsStartUpTime() throws Exception {
    long launched = fx.now.get();
    fx.now.addAndGet(1_500);
    fx.dispatcher.register(fx.new FakePilot("7"), register("7", launched), fx.jobToken("7"));

    var timer = fx.metrics.registry().find("whisk_pilot_startup").timer();
    assertThat(timer.count()).isEqualTo(1);
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1_500);
  }

  @Test
  void aPilotLaunchedBeforeTheBalancerStartedIsReconnectingAndRecordsNothing() throws Exception {
    fx.dispatcher.register(
        fx.new FakePilot("8"), register("8", fx.now.get() - 60_000), fx.jobToken("8"));

    assertThat(fx.metrics.registry().find("whisk_pilot_startup").timer().count()).isZero();
  }
}

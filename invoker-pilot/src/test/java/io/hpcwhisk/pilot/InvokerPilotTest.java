package io.hpcwhisk.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.runtime.RuntimeConfig;
import io.hpcwhisk.testkit.FakeBalancer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The pilot in this JVM against the balancer double, over a real WebSocket. */
class InvokerPilotTest extends PilotFixture {

  @Test
  void registersWithItsCapacityAndHeartbeatsAtLeastEverySecond() {
    Instant deadline = Instant.now().plusSeconds(600);
    startPilot(identity(1024, deadline), settings());

    FakeBalancer.PilotSession session = registered();

    PilotMessage.Register register = session.register().orElseThrow();
    assertThat(register.memoryMb()).isEqualTo(1024);
    assertThat(register.cpus()).isEqualTo(2);
    assertThat(register.node()).isEqualTo("n1");
    assertThat(register.deadlineMs()).isEqualTo(deadline.toEpochMilli());
    assertThat(register.kinds()).contains("nodejs:20", "python:3", "java", "blackbox");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                session.received().stream().filter(m -> m instanceof PilotMessage.Heartbeat).count()
                    >= 3);
    assertThat(session.lastHeartbeat().orElseThrow().freeMemoryMb()).isEqualTo(1024);
  }

  @Test
  void forgetRemovesTheIdleRuntimesOfADeletedAction() {
    startPilot(identity(1024, Instant.now().plusSeconds(600)), settings());
    registered();
    balancer.activate(
        "slurm-101",
        Requests.node("act-f", "hello@1", "function main(p) { return {}; }", 10_000, 256));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                balancer
                    .pilot("slurm-101")
                    .orElseThrow()
                    .lastHeartbeat()
                    .map(h -> h.warm().containsKey("hello@1"))
                    .orElse(false));

    balancer.sendRaw(
        "slurm-101", PilotProtocol.encode(new BalancerMessage.Forget("hello", "deleted")));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                balancer
                    .pilot("slurm-101")
                    .orElseThrow()
                    .lastHeartbeat()
                    .map(h -> !h.warm().containsKey("hello@1"))
                    .orElse(false));
  }

  @Test
  void runsAnActivationAndReportsResultLogsAndTimings() {
    startPilot(identity(1024, Instant.now().plusSeconds(600)), settings());
    registered();

    balancer.activate(
        "slurm-101",
        Requests.node(
            "act-1",
            "hello@1",
            "function main(p) { console.log('hi ' + p.id); return { id: p.id }; }",
            10_000,
            256));

    await().atMost(Duration.ofSeconds(10)).until(() -> balancer.outcome("act-1").isPresent());
    var outcome = balancer.outcome("act-1").orElseThrow();
    assertThat(balancer.accepted()).containsExactly("act-1");
    assertThat(outcome.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(outcome.result().toString()).isEqualTo("{\"id\":\"act-1\"}");
    assertThat(outcome.logs()).singleElement().asString().endsWith("stdout: hi act-1");
    assertThat(outcome.cold()).isTrue();
    assertThat(outcome.initMs()).isPositive();
    // the pilot reports when its (cold) runtime begins running it
    assertThat(balancer.started()).containsExactly("act-1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                balancer
                    .pilot("slurm-101")
                    .orElseThrow()
                    .lastHeartbeat()
                    .map(
                        h ->
                            h.metrics().activationsByStatus().getOrDefault("success", 0L) == 1L
                                && h.warm().containsKey("hello@1"))
                    .orElse(false));
  }

  @Test
  void aWrongCredentialIsRefusedAndThePilotExits() {
    startPilot(
        identity(512, Instant.now().plusSeconds(600)),
        PilotSettings.of(balancer.uri(), "stolen", work).withSandbox(RuntimeConfig.Sandbox.OFF));

    assertThat(exit.join()).isEqualTo(InvokerPilot.EXIT_REFUSED);
    assertThat(balancer.refusedCount()).isEqualTo(1);
    assertThat(balancer.pilots()).isEmpty();
  }

  @Test
  void sigtermFinishesInFlightWorkHandsBackTheQueueAndExitsEarly() {
    startPilot(
        identity(256, Instant.now().plusSeconds(600)),
        settings().withGrace(Duration.ofSeconds(10)));
    FakeBalancer.PilotSession session = registered();
    balancer.activate("slurm-101", Requests.sleeping("run-1", 1500, 256));
    balancer.activate("slurm-101", Requests.sleeping("queued-1", 1500, 256));
    balancer.activate("slurm-101", Requests.sleeping("queued-2", 1500, 256));
    await().atMost(Duration.ofSeconds(20)).until(() -> balancer.accepted().size() == 3);

    Instant term = Instant.now();
    pilot.terminate();

    assertThat(exit.join()).isZero();
    Duration exitAfter = Duration.between(term, Instant.now());
    assertThat(exitAfter)
        .as("left as soon as the running activation ended, well before grace")
        .isLessThan(Duration.ofSeconds(8));
    await().atMost(Duration.ofSeconds(20)).until(session::left);
    assertThat(balancer.outcome("run-1").orElseThrow().status())
        .isEqualTo(ActivationStatus.SUCCESS);
    assertThat(balancer.handedBack()).containsOnlyKeys("queued-1", "queued-2");
    assertThat(session.received()).anyMatch(m -> m instanceof PilotMessage.Draining);
    assertThat(session.lostAt()).isEmpty();
  }

  @Test
  void workThatCannotFinishWithinGraceIsHandedBackBeforeExit() {
    startPilot(
        identity(512, Instant.now().plusSeconds(600)), settings().withGrace(Duration.ofSeconds(3)));
    registered();
    balancer.activate("slurm-101", Requests.sleeping("long-1", 30_000, 256));
    await().atMost(Duration.ofSeconds(20)).until(() -> balancer.accepted().size() == 1);

    Instant term = Instant.now();
    pilot.terminate();

    assertThat(exit.join()).isZero();
    assertThat(Duration.between(term, Instant.now())).isLessThan(Duration.ofSeconds(3));
    assertThat(balancer.handedBack()).containsKey("long-1");
    assertThat(balancer.outcome("long-1")).isEmpty();
  }

  @Test
  void activationsArrivingWhileDrainingAreHandedBack() {
    startPilot(identity(512, Instant.now().plusSeconds(600)), settings());
    registered();
    balancer.activate("slurm-101", Requests.sleeping("keep-busy", 2000, 256));
    await().atMost(Duration.ofSeconds(20)).until(() -> balancer.accepted().size() == 1);
    pilot.terminate();

    balancer.activate("slurm-101", Requests.sleeping("late", 10, 256));

    await().atMost(Duration.ofSeconds(20)).until(() -> balancer.handedBack().containsKey("late"));
    assertThat(balancer.handedBack().get("late")).contains("draining");
    assertThat(exit.join()).isZero();
    assertThat(balancer.outcome("keep-busy")).isPresent();
  }

  @Test
  void drainsAheadOfItsOwnDeadline() {
    startPilot(
        identity(512, Instant.now().plusSeconds(4)),
        settings().withDrainLead(Duration.ofSeconds(2)));
    registered();

    assertThat(exit.join()).isZero();
    // The double records messages on its own threads (and a reconnect under load opens a new
    // session):
    // wait for the pilot's last words to be recorded on its current session.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(balancer.pilot("slurm-101").orElseThrow().received())
                    .anyMatch(
                        m ->
                            m instanceof PilotMessage.Draining d
                                && d.reason().contains("deadline")));
  }

  @Test
  void reconnectsAndRegistersAgainWhenTheBalancerComesBack() throws Exception {
    startPilot(identity(512, Instant.now().plusSeconds(600)), settings());
    registered();
    int port = balancer.uri().getPort();
    balancer.close();

    balancer = FakeBalancer.start(TOKEN, 500, port);

    FakeBalancer.PilotSession again = registered();
    assertThat(again.register().orElseThrow().pilotId()).isEqualTo("slurm-101");
    balancer.activate("slurm-101", Requests.sleeping("after-reconnect", 10, 256));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> balancer.outcome("after-reconnect").isPresent());
    assertThat(exit).isNotDone();
  }

  @Test
  void aBalancerAnnouncingProtocolMinorZeroIsRefusedAndThePilotExits() {
    balancer.announceMinor(0);
    startPilot(identity(512, Instant.now().plusSeconds(600)), settings());

    assertThat(exit.join()).isEqualTo(InvokerPilot.EXIT_REFUSED);
    assertThat(balancer.pilot("slurm-101").orElseThrow().received())
        .as("nothing after its registration")
        .singleElement()
        .isInstanceOf(PilotMessage.Register.class);
  }

  @Test
  void givesUpWhenTheBalancerStaysUnreachable() throws Exception {
    URI nowhere = balancer.uri();
    balancer.close();
    startPilot(
        identity(512, Instant.now().plusSeconds(600)),
        PilotSettings.of(nowhere, TOKEN, work)
            .withSandbox(RuntimeConfig.Sandbox.OFF)
            .withGiveUpAfter(Duration.ofSeconds(1)));

    assertThat(exit.join()).isEqualTo(InvokerPilot.EXIT_UNREACHABLE);
    balancer = FakeBalancer.start(TOKEN);
  }
}

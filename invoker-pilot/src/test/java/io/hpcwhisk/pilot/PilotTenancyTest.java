package io.hpcwhisk.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.protocol.ActivationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rule for a pilot without a sandbox: it does not start unless the administrator named the one
 * namespace it may serve; then it registers as single-tenant for that namespace and ends any other
 * namespace's activation in a whisk error (a hostile or outdated balancer cannot make it run them).
 */
class PilotTenancyTest extends PilotFixture {

  static ActivationRequest in(String namespace, String id) {
    ActivationRequest r =
        Requests.node(id, "echo", "function main(p) { return { id: p.id }; }", 30_000, 128);
    return new ActivationRequest(
        r.activationId(),
        namespace,
        "/" + namespace + "/echo",
        namespace + "/echo@1",
        r.kind(),
        r.code(),
        r.binary(),
        r.main(),
        r.env(),
        r.limits(),
        r.params(),
        r.deadlineMs(),
        r.apiHost(),
        r.apiKey(),
        r.acceptedAtMs(),
        r.attempt(),
        r.retrySafe());
  }

  @Test
  void aSingleTenantPilotRegistersItsNamespaceAndRefusesAnotherNamespacesActivation() {
    startPilot(identity(512, Instant.now().plusSeconds(600)), settings(), "alice");
    assertThat(registered().register().orElseThrow().onlyNamespace()).isEqualTo("alice");

    balancer.activate(PILOT, in("bob", "bob-1"));
    balancer.activate(PILOT, in("alice", "alice-1"));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> balancer.outcome("bob-1").isPresent() && balancer.outcome("alice-1").isPresent());
    var bob = balancer.outcome("bob-1").orElseThrow();
    assertThat(bob.status()).isEqualTo(ActivationStatus.WHISK_ERROR);
    assertThat(bob.result().toString()).contains("serves only namespace alice, not bob");
    assertThat(balancer.outcome("alice-1").orElseThrow().status())
        .isEqualTo(ActivationStatus.SUCCESS);
  }

  @Test
  void withoutTheOptOutAnUnsandboxedPilotRunsNoActivation() {
    startPilot(identity(512, Instant.now().plusSeconds(600)), settings(), null);
    assertThat(registered().register().orElseThrow().onlyNamespace()).isNull();

    balancer.activate(PILOT, in("guest", "guest-1"));

    await().atMost(Duration.ofSeconds(20)).until(() -> balancer.outcome("guest-1").isPresent());
    assertThat(balancer.outcome("guest-1").orElseThrow().status())
        .isEqualTo(ActivationStatus.WHISK_ERROR);
    assertThat(balancer.outcome("guest-1").orElseThrow().result().toString())
        .contains("serves no namespace");
  }

  @Test
  void theLauncherRefusesToStartAPilotWithoutSandboxOrOptOutAndSaysHowToFixIt() {
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "SLURM_JOB_ID",
                "77",
                "SLURMD_NODENAME",
                "n1",
                "SLURM_JOB_START_TIME",
                Long.toString(Instant.now().getEpochSecond()),
                "SLURM_JOB_END_TIME",
                Long.toString(Instant.now().plusSeconds(600).getEpochSecond()),
                "SLURM_CPUS_ON_NODE",
                "2",
                "SLURM_MEM_PER_NODE",
                "512",
                "HPC_WHISK_BALANCER_URL",
                balancer.uri().toString(),
                "HPC_WHISK_PILOT_SANDBOX",
                "off"));
    env.put("HPC_WHISK_PILOT_WORK_DIR", work.resolve("launcher").toString());

    assertThatThrownBy(
            () -> PilotMain.run(new PilotMain.Overrides(Optional.empty(), Map.of()), env, "test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without a sandbox (pilot.sandbox is off)")
        .hasMessageContaining("install bubblewrap")
        .hasMessageContaining("pilot.unsandboxed-namespace");
    assertThat(balancer.pilots()).as("it never registered").isEmpty();
    assertThat(work.resolve("launcher").resolve("actions")).doesNotExist();
  }
}

package io.hpcwhisk.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.protocol.ActionLimitsSpec;
import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.testkit.FakeBalancer;
import io.hpcwhisk.testkit.PilotJobs;
import io.hpcwhisk.testkit.SandboxProbe;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks from inside an action, in a real pilot job on the local cluster with the sandbox on (the
 * cluster runs jobs as root, as {@code bin/hpc-whisk up} does): one user's action (namespace alice)
 * leaves a file in its runtime directory; another user's action (namespace bob) then looks for its
 * capabilities, the host's and the cluster's Munge key and slurm.conf, every {@code
 * /proc/PID/environ} it can read (for the pilot's credential) and alice's file. Each must come back
 * empty-handed.
 */
@SlurmTest
class PilotSandboxSlurmIT {

  static final String TOKEN = "it-sandbox-token-" + UUID.randomUUID();
  FakeBalancer balancer;

  @BeforeEach
  void start() throws Exception {
    balancer = FakeBalancer.start(TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    balancer.close();
  }

  private static ActivationRequest request(String id, String namespace, String kind, String code) {
    String versionKey = namespace + "/" + id + "@1";
    return new ActivationRequest(
        id,
        namespace,
        "/" + namespace + "/" + id,
        versionKey,
        kind,
        code,
        false,
        "main",
        Map.of(),
        new ActionLimitsSpec(30_000, 256, 10_485_760, 1 << 20),
        PilotProtocol.mapper().createObjectNode(),
        System.currentTimeMillis() + 30_000,
        "http://127.0.0.1:1",
        null,
        System.currentTimeMillis(),
        1,
        false);
  }

  private ActivationOutcome awaitOutcome(String id) {
    await().atMost(Duration.ofSeconds(90)).until(() -> balancer.outcome(id).isPresent());
    return balancer.outcome(id).orElseThrow();
  }

  @Test
  void anActionInASandboxedRootPilotFindsNoCapabilityNoKeyNoCredentialAndNoOtherActionsFiles(
      SlurmEnv slurm) throws Exception {
    String job =
        PilotJobs.submit(
            slurm,
            balancer.uri().toString(),
            TOKEN,
            Map.of("HPC_WHISK_PILOT_SANDBOX", "bwrap", "HPC_WHISK_PILOT_UNSANDBOXED_NAMESPACE", ""),
            "-p",
            "whisk",
            "--time=5");
    String pilotId = "slurm-" + job;
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                balancer.pilot(pilotId).isPresent()
                    || slurm.run("squeue", "-h", "-j", job).stdout().isBlank());
    assertThat(balancer.pilot(pilotId))
        .as("pilot registered; job output:%n%s", PilotJobs.output(slurm, job))
        .isPresent();
    assertThat(balancer.pilot(pilotId).orElseThrow().register().orElseThrow().onlyNamespace())
        .as("a sandboxed pilot serves every namespace")
        .isNull();
    assertThat(PilotJobs.output(slurm, job)).contains("sandbox bwrap");

    balancer.activate(
        pilotId,
        request(
            "alice-victim",
            "alice",
            "nodejs:20",
            "const fs = require('fs'); function main() { const f = process.env.HOME +"
                + " '/alice-secret.txt'; fs.writeFileSync(f, 'dbpass=alice'); return { file: f"
                + " }; }"));
    ActivationOutcome alice = awaitOutcome("alice-victim");
    assertThat(alice.status()).as(alice.toString()).isEqualTo(ActivationStatus.SUCCESS);
    String aliceFile = alice.result().get("file").asText();

    String clusterKey = slurm.dir().resolve("munge/key/munge.key").toString();
    String clusterConf = slurm.dir().resolve("slurm.conf").toString();
    assertThat(Files.exists(Path.of(clusterKey)))
        .as("the cluster's munge key exists on the host")
        .isTrue();
    balancer.activate(
        pilotId,
        request(
            "bob-attack",
            "bob",
            "python:3",
            SandboxProbe.python(
                List.of(SandboxProbe.literal(TOKEN)),
                Map.of(
                    "hostKey",
                    "/etc/munge/munge.key",
                    "clusterKey",
                    clusterKey,
                    "slurmConf",
                    clusterConf),
                Map.of("clusterKey", clusterKey, "alice", aliceFile))));
    ActivationOutcome bob = awaitOutcome("bob-attack");

    assertThat(bob.status()).as(bob.toString()).isEqualTo(ActivationStatus.SUCCESS);
    JsonNode r = bob.result();
    assertThat(r.get("cap").asText()).as("CapEff in /proc/self/status").matches("0+");
    assertThat(r.get("uid").asInt()).as("uid").isNotZero();
    assertThat(r.get("environs").asInt()).as("environ files read (its own at least)").isPositive();
    assertThat(r.get("leaked")).as("processes whose environment holds the pilot token").isEmpty();
    assertThat(r.get("readable").get("hostKey").asBoolean())
        .as("/etc/munge/munge.key readable")
        .isFalse();
    assertThat(r.get("readable").get("clusterKey").asBoolean())
        .as("the cluster's munge key readable")
        .isFalse();
    assertThat(r.get("visible").get("clusterKey").asBoolean())
        .as("the cluster's munge key visible")
        .isFalse();
    assertThat(r.get("readable").get("slurmConf").asBoolean())
        .as("the cluster's slurm.conf readable")
        .isFalse();
    assertThat(r.get("visible").get("alice").asBoolean())
        .as("alice's file, from bob's action")
        .isFalse();
    assertThat(r.get("neighbours"))
        .as("other runtime directories in the pilot's work dir")
        .isEmpty();
    assertThat(r.get("env").toString()).doesNotContain("HPC_WHISK").doesNotContain("SLURM");
    assertThat(Files.exists(Path.of(aliceFile)))
        .as("alice's file is still there on the host")
        .isTrue();
  }
}

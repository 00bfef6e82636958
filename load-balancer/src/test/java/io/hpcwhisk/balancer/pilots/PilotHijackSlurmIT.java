package io.hpcwhisk.balancer.pilots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.hpcwhisk.testkit.PilotJobs;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hijack of issue 20 against a REAL pilot job on the local Slurm cluster: while the pilot runs
 * a user's activation, a client with a valid submission credential of its own registers under the
 * pilot's id (refused, close 1013; the pilot stays connected and registered), and a client
 * registered under a real job of its own claims the activation (acknowledge, start, hand back,
 * complete: all dropped). The user's record is the pilot's result.
 */
@SlurmTest
class PilotHijackSlurmIT {

  @TempDir Path dir;
  WhiskServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aLivePilotJobKeepsItsIdAndItsActivationAgainstARogueWithItsOwnCredential(SlurmEnv slurm)
      throws Exception {
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withExecutor("pilots")
                    .withDrainSeconds(1))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
            // this test is about connections, not the Slurm check (PilotCredentialAttackIT):
            // explicitly unverified
            .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
    server = WhiskServer.start(config, "test");
    PilotCredentials credentials = WhiskServer.pilotCredentials(config);
    PilotDispatcher dispatcher = (PilotDispatcher) server.dispatcher();
    String job =
        PilotJobs.submitHeld(
            slurm,
            server.pilotUrl(),
            j -> credentials.forJob(j, PilotHijackIT.UNTIL),
            Map.of(),
            "-p",
            "whisk",
            "--time=10");
    String pilotId = "slurm-" + job;
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> dispatcher.registeredJobs().containsKey(pilotId));
    } catch (RuntimeException e) {
      throw new AssertionError(
          "pilot job " + job + " did not register: " + PilotJobs.output(slurm, job), e);
    }

    ApiClient api =
        new ApiClient("http://127.0.0.1:" + server.address().getPort(), Identity.GUEST.authKey());
    assertThat(
            api.put(
                    "/api/v1/namespaces/_/actions/slow",
                    "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return new"
                        + " Promise(r => setTimeout(() => r({by: 'the pilot job'}), 5000))}\"}}")
                .status())
        .isEqualTo(200);
    ApiClient.Answer invoked = api.post("/api/v1/namespaces/_/actions/slow", "{}");
    assertThat(invoked.status()).isEqualTo(202);
    String activationId = invoked.body().path("activationId").asText();
    await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.snapshot().inFlight() == 1);

    // take the live pilot's id with a credential that would admit a registration for that job
    PilotHijackIT.Rogue hijacker =
        PilotHijackIT.Rogue.connect(server.pilotUrl(), credentials.forSubmission());
    hijacker.send(PilotHijackIT.register(job, slurm.nodes().get(0)));
    assertThat(hijacker.closed.get(10, TimeUnit.SECONDS))
        .startsWith("1013 pilot id " + pilotId + " is held by a live");
    assertThat(hijacker.received).isEmpty();

    // a real job of the rogue's own, and a client registered for it, claims the pilot's activation
    String own = slurm.sbatch("-p", "whisk", "--time=5", "--wrap", "sleep 300");
    await().atMost(Duration.ofSeconds(30)).until(() -> slurm.jobState(own).equals("RUNNING"));
    String node = slurm.run("squeue", "-h", "-o", "%N", "-j", own).orThrow().stdout().strip();
    PilotHijackIT.Rogue rogue =
        PilotHijackIT.Rogue.connect(
            server.pilotUrl(), credentials.forJob(own, PilotHijackIT.UNTIL));
    rogue.send(PilotHijackIT.register(own, node));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> rogue.received.stream().anyMatch(m -> m.contains("registered")));
    PilotHijackIT.claim(rogue, activationId);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> api.get("/api/v1/namespaces/_/activations/" + activationId).status() == 200);
    var record = api.get("/api/v1/namespaces/_/activations/" + activationId).body();
    assertThat(record.path("response").path("result").toString())
        .isEqualTo("{\"by\":\"the pilot job\"}");
    assertThat(rogue.received).noneMatch(m -> m.contains("\"activate\""));
    assertThat(dispatcher.registeredJobs()).containsEntry(pilotId, job);
    assertThat(slurm.jobState(job)).isEqualTo("RUNNING");
    String metrics = server.meters().scrape();
    assertThat(metrics)
        .contains("whisk_pilot_registrations_refused_total{reason=\"id_in_use\"} 1.0")
        .contains("whisk_pilot_messages_dropped_total{reason=\"foreign_connection\"} 4.0");
    assertThat(PilotJobs.output(slurm, job))
        .as("the pilot was never disconnected")
        .doesNotContain("connection to the balancer ended");
    slurm.run("scancel", job, own);
  }
}

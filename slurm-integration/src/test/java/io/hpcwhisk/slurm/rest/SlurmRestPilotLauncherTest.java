package io.hpcwhisk.slurm.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.slurm.cli.PilotJobHandOff;
import io.hpcwhisk.slurm.cli.PilotJobSettings;
import io.hpcwhisk.slurm.cli.SlurmCli;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The submission body: the CLI launcher's job in JSON, and no secret in its environment. */
class SlurmRestPilotLauncherTest {

  @TempDir Path dir;

  private SlurmRestClient client() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "eyJhbGciOiJIUzI1NiJ9.e30.c2ln\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    return new SlurmRestClient(
        URI.create("http://127.0.0.1:9"),
        "hpcw",
        new TokenFile(token),
        Duration.ofSeconds(1),
        1 << 20,
        SlurmCli.CallObserver.NONE);
  }

  private static PilotJobSettings settings(Optional<String> signal, List<String> extra) {
    return new PilotJobSettings(
        "hpcw-pilot",
        Optional.of("acct"),
        signal,
        "/tmp/pilot-%j.out",
        "#!/bin/sh\nexec sleep 300\n",
        extra,
        Map.of("HPC_WHISK_BALANCER_URL", "ws://10.0.0.1:3234/pilot/v1"));
  }

  @Test
  void theBodyIsTheCliLaunchersJobAndCarriesNoSecret() throws Exception {
    var launcher =
        new SlurmRestPilotLauncher(
            client(),
            settings(Optional.of("B:TERM@120"), List.of()),
            PilotJobHandOff.NONE,
            () ->
                Map.of(
                    "PATH", "/usr/bin:/bin",
                    "AWS_SECRET_ACCESS_KEY", "s3cr3t",
                    "HPC_WHISK_ADMIN_TOKEN", "t0k3n",
                    "SLURM_JWT", "eyJ.jwt.sig",
                    "HPC_WHISK_PILOT_TOKEN_FILE", "/var/lib/hpc-whisk/tokens/p1.token"),
            Path.of("/srv/hpc-whisk"));
    JsonNode job =
        launcher
            .request(
                new PilotShape(
                    "whisk",
                    Optional.of("preemptible"),
                    Duration.ofSeconds(5 * 60 + 40),
                    Optional.of(Duration.ofMinutes(2)),
                    100,
                    Optional.of("n3")),
                Map.of("HPC_WHISK_PILOT_ID", "p1"))
            .path("job");
    assertThat(job.path("name").asText()).isEqualTo("hpcw-pilot-5m-n3");
    assertThat(job.path("partition").asText()).isEqualTo("whisk");
    assertThat(job.path("qos").asText()).isEqualTo("preemptible");
    assertThat(job.path("account").asText()).isEqualTo("acct");
    assertThat(job.path("time_limit").path("number").asLong()).isEqualTo(5);
    assertThat(job.path("time_minimum").path("number").asLong()).isEqualTo(2);
    assertThat(job.path("nice").asInt()).isEqualTo(100);
    assertThat(job.path("required_nodes").get(0).asText()).isEqualTo("n3");
    assertThat(job.path("maximum_nodes").asInt()).isEqualTo(1);
    assertThat(job.path("kill_warning_signal").asText()).isEqualTo("TERM");
    assertThat(job.path("kill_warning_delay").path("number").asLong()).isEqualTo(120);
    assertThat(job.path("kill_warning_flags").get(0).asText()).isEqualTo("BATCH_JOB");
    assertThat(job.path("current_working_directory").asText()).isEqualTo("/srv/hpc-whisk");
    List<String> env = new ArrayList<>();
    job.path("environment").forEach(e -> env.add(e.asText()));
    assertThat(env)
        .containsExactly(
            "HPC_WHISK_BALANCER_URL=ws://10.0.0.1:3234/pilot/v1",
            "HPC_WHISK_PILOT_ID=p1",
            "HPC_WHISK_PILOT_TOKEN_FILE=/var/lib/hpc-whisk/tokens/p1.token",
            "PATH=/usr/bin:/bin");
    assertThat(job.toString()).doesNotContain("s3cr3t", "t0k3n", "eyJ.jwt.sig");
  }

  @Test
  void sbatchOnlyOptionsAndOddSignalsAreRefusedAtStart() throws Exception {
    SlurmRestClient client = client();
    assertThatThrownBy(
            () ->
                new SlurmRestPilotLauncher(
                    client,
                    settings(Optional.empty(), List.of("--exclusive")),
                    PilotJobHandOff.NONE))
        .hasMessageContaining("harvest.pilot-job.extra-options [--exclusive]")
        .hasMessageContaining("slurm.access: rest");
    assertThatThrownBy(
            () ->
                new SlurmRestPilotLauncher(
                    client, settings(Optional.of("R:USR1@30"), List.of()), PilotJobHandOff.NONE))
        .hasMessageContaining("harvest.pilot-job.signal")
        .hasMessageContaining("'R:USR1@30'");
    assertThat(SlurmRestPilotLauncher.signal("USR1").seconds()).isEqualTo(60);
    assertThat(SlurmRestPilotLauncher.signal("SIGTERM@5").name()).isEqualTo("TERM");
  }
}

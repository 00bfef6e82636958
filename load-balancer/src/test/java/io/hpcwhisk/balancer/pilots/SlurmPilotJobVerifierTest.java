package io.hpcwhisk.balancer.pilots;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier against a stand-in {@code squeue} (a script in its bin directory printing what Slurm
 * 22.05 prints, and newer Slurm's state arrays); the real one is exercised by
 * PilotCredentialAttackIT.
 */
class SlurmPilotJobVerifierTest {

  @TempDir Path bin;

  static final String JOBS =
      """
      {"jobs": [
        {"job_id": 7, "job_state": "RUNNING", "partition": "whisk", "user_name": "hpcw", "nodes": "n1"},
        {"job_id": 8, "job_state": ["RUNNING"], "partition": "whisk", "user_name": "hpcw", "nodes": "n2"},
        {"job_id": 9, "job_state": "PENDING", "partition": "whisk", "user_name": "hpcw", "nodes": ""},
        {"job_id": 10, "job_state": "CANCELLED", "partition": "whisk", "user_name": "hpcw", "nodes": "n3"}
      ]}
      """;

  SlurmPilotJobVerifier verifier(String script) throws Exception {
    Path squeue = bin.resolve("squeue");
    Files.writeString(squeue, "#!/bin/sh\n" + script + "\n");
    Files.setPosixFilePermissions(squeue, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(bin.resolve("jobs.json"), JOBS);
    return new SlurmPilotJobVerifier(
        "whisk",
        "hpcw",
        Optional.of(bin),
        Map.of("FAKE_DIR", bin.toString()),
        Duration.ofSeconds(10));
  }

  @Test
  void aRunningJobOnItsNodeIsVerifiedInEitherStateFormAndOthersAreRefusedWithTheReason()
      throws Exception {
    var v = verifier("cat \"$FAKE_DIR/jobs.json\"");
    assertThat(v.refusal("7", "n1")).isEmpty();
    assertThat(v.refusal("8", "n2")).isEmpty();
    assertThat(v.refusal("8", "n1")).get().asString().contains("runs on 'n2', not on node 'n1'");
    assertThat(v.refusal("9", "n1")).get().asString().contains("is PENDING, not RUNNING");
    assertThat(v.refusal("11", "n1")).get().asString().contains("Slurm does not know job 11");
    assertThat(v.refusal("7; rm -rf /", "n1")).get().asString().contains("is not a Slurm job id");
  }

  @Test
  void anUnreachableSlurmRefusesTheRegistrationAndRevokesNothing() throws Exception {
    var v =
        verifier("echo 'slurm_load_jobs error: Unable to contact slurm controller' >&2; exit 1");
    assertThat(v.refusal("7", "n1"))
        .get()
        .asString()
        .contains("cannot verify job 7 with Slurm")
        .contains("Unable to contact slurm controller");
    assertThat(v.states(List.of("7"))).isEmpty();
  }

  @Test
  void theSweepLearnsWhichJobsEndedAndWhichWait() throws Exception {
    var v = verifier("cat \"$FAKE_DIR/jobs.json\"");
    var states = v.states(List.of("7", "9", "10", "12")).orElseThrow();
    assertThat(states.ended()).isEqualTo(Set.of("10", "12"));
    assertThat(states.pending()).isEqualTo(Set.of("9"));
  }
}

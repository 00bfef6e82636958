package io.hpcwhisk.balancer.pilots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.balancer.store.MvPilotBindingStore;
import io.hpcwhisk.balancer.store.MvStoreDatabase;
import io.hpcwhisk.balancer.store.PilotBindingStore;
import io.hpcwhisk.protocol.PilotMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admission rules on the real store (reopened to show bindings survive a restart), a
 * hand-driven clock and a fake cluster judged by the Slurm verifier's own rule.
 */
class PilotAdmissionTest {

  @TempDir Path dir;
  final AtomicLong now = new AtomicLong(1_800_000_000_000L);
  final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  final FakePilotJobVerifier slurm = new FakePilotJobVerifier("whisk", "hpcw");
  MvStoreDatabase db;
  PilotCredentials credentials;
  PilotSubmissions submissions;
  PilotAdmission admission;

  @BeforeEach
  void open() {
    db = MvStoreDatabase.open(dir.resolve("data"));
    PilotBindingStore bindings = MvPilotBindingStore.open(db);
    credentials = PilotCredentials.inDataDir(dir.resolve("data"));
    submissions =
        new PilotSubmissions(credentials, bindings, slurm, dir.resolve("data/pilot-tokens"), clock);
    admission = new PilotAdmission(credentials, bindings, slurm, clock);
  }

  @AfterEach
  void close() {
    db.close();
  }

  void reopen() {
    db.close();
    open();
  }

  static PilotMessage.Register register(String job, String node) {
    return new PilotMessage.Register(
        "slurm-" + job, job, node, 2, 1024, List.of("nodejs:20"), Map.of(), 0, 0, 0, "test", 1);
  }

  /** A token submitted as {@code job} with a 10-minute limit, as the controller does. */
  String submitted(String job) throws Exception {
    PilotSubmissions.Issued issued = submissions.issue();
    String token = Files.readString(issued.file()).strip();
    submissions.submitted(issued, job, Duration.ofMinutes(10));
    return token;
  }

  @Test
  void theTokenOfARunningJobAdmitsItsPilot() throws Exception {
    String token = submitted("101");
    slurm.job("101", "RUNNING", "whisk", "hpcw", "n1");
    assertThatCode(() -> admission.admit(register("101", "n1"), token)).doesNotThrowAnyException();
  }

  @Test
  void anUnboundSubmissionTokenIsRefused() {
    slurm.job("102", "RUNNING", "whisk", "hpcw", "n1");
    String token = credentials.forSubmission(); // genuine, but sbatch never answered for it
    assertThatThrownBy(() -> admission.admit(register("102", "n1"), token))
        .hasMessageContaining("bound to no job")
        .hasMessageNotContaining(token);
  }

  @Test
  void aTokenBoundToAnotherJobIsRefusedEvenIfThatJobRuns() throws Exception {
    String stolen = submitted("103");
    slurm.job("103", "RUNNING", "whisk", "hpcw", "n1");
    slurm.job("104", "RUNNING", "whisk", "hpcw", "n2");
    assertThatThrownBy(() -> admission.admit(register("104", "n2"), stolen))
        .hasMessageContaining("bound to job 103, not valid for job 104")
        .hasMessageNotContaining(stolen);
    assertThatThrownBy(() -> admission.admit(register("999999", "n2"), stolen))
        .hasMessageContaining("bound to job 103");
  }

  @Test
  void aTokenPastTheJobsTimeLimitAndGraceIsRefused() throws Exception {
    String token = submitted("105");
    slurm.job("105", "RUNNING", "whisk", "hpcw", "n1");
    now.addAndGet(Duration.ofMinutes(10).plus(PilotSubmissions.GRACE).plusSeconds(1).toMillis());
    assertThatThrownBy(() -> admission.admit(register("105", "n1"), token))
        .hasMessageContaining("expired at");
  }

  @Test
  void aForgedOrMissingTokenIsRefused() {
    slurm.job("106", "RUNNING", "whisk", "hpcw", "n1");
    assertThatThrownBy(() -> admission.admit(register("106", "n1"), null))
        .hasMessageContaining("no credential");
    String forged =
        new PilotCredentials(new byte[32])
            .forJob("106", Instant.ofEpochMilli(now.get()).plusSeconds(60));
    assertThatThrownBy(() -> admission.admit(register("106", "n1"), forged))
        .hasMessageContaining("invalid credential")
        .hasMessageNotContaining(forged);
  }

  @ParameterizedTest(name = "{0} {1} {2} {3} (pilot says {4}) -> {5}")
  @CsvSource({
    "PENDING,   whisk, hpcw,   n1, n1, 'is PENDING, not RUNNING'",
    "COMPLETED, whisk, hpcw,   n1, n1, 'is COMPLETED, not RUNNING'",
    "CANCELLED, whisk, hpcw,   n1, n1, 'is CANCELLED, not RUNNING'",
    "RUNNING,   batch, hpcw,   n1, n1, 'not the harvest partition'",
    "RUNNING,   whisk, mallory, n1, n1, 'not the pilot user'",
    "RUNNING,   whisk, hpcw,   n2, n1, 'not on node ''n1'''",
  })
  void aBoundTokenAdmitsOnlyARunningPilotJobOnItsNode(
      String state,
      String partition,
      String user,
      String jobNode,
      String claimedNode,
      String reason)
      throws Exception {
    String token = submitted("107");
    slurm.job("107", state, partition, user, jobNode);
    assertThatThrownBy(() -> admission.admit(register("107", claimedNode), token))
        .hasMessageContaining("not verified with Slurm")
        .hasMessageContaining(reason);
  }

  @Test
  void aJobSlurmDoesNotKnowIsRefused() throws Exception {
    String token = submitted("108");
    assertThatThrownBy(() -> admission.admit(register("108", "n1"), token))
        .hasMessageContaining("Slurm does not know job 108");
  }

  @Test
  void theBindingSurvivesAReopenAndTheEndedJobsTokenIsRevoked() throws Exception {
    String running = submitted("110");
    String cancelled = submitted("111");
    slurm.job("110", "RUNNING", "whisk", "hpcw", "n1");
    slurm.job("111", "CANCELLED", "whisk", "hpcw", "n2");
    reopen();
    assertThatCode(() -> admission.admit(register("110", "n1"), running))
        .doesNotThrowAnyException();
    now.addAndGet(10_000);
    assertThat(submissions.sweep().revoked()).isEqualTo(1);
    reopen();
    slurm.job(
        "111", "RUNNING", "whisk", "hpcw",
        "n2"); // even if the id came back (a reset Slurm), the token is dead
    assertThatThrownBy(() -> admission.admit(register("111", "n2"), cancelled))
        .hasMessageContaining("bound to no job");
    assertThatCode(() -> admission.admit(register("110", "n1"), running))
        .doesNotThrowAnyException();
  }

  @Test
  void aPendingJobKeepsItsTokenPastTheFirstExpiry() throws Exception {
    String token = submitted("112");
    slurm.job("112", "PENDING", "whisk", "hpcw", "n1");
    for (int i = 0; i < 40; i++) { // 20 minutes in the queue, swept every 30 s
      now.addAndGet(30_000);
      submissions.sweep();
    }
    slurm.job("112", "RUNNING", "whisk", "hpcw", "n1");
    assertThatCode(() -> admission.admit(register("112", "n1"), token)).doesNotThrowAnyException();
  }

  @Test
  void aHandIssuedJobTokenIsValidForItsJobUntilItsExpiry() {
    slurm.job("120", "RUNNING", "whisk", "hpcw", "n1");
    slurm.job("121", "RUNNING", "whisk", "hpcw", "n2");
    String token = credentials.forJob("120", Instant.ofEpochMilli(now.get()).plusSeconds(3600));
    assertThatCode(() -> admission.admit(register("120", "n1"), token)).doesNotThrowAnyException();
    assertThatThrownBy(() -> admission.admit(register("121", "n2"), token))
        .hasMessageContaining("is for job 120, not job 121");
    now.addAndGet(3_601_000);
    assertThatThrownBy(() -> admission.admit(register("120", "n1"), token))
        .hasMessageContaining("expired at");
  }

  @Test
  void tokenFilesAreTheServersOnlyAndGoWhenUnused() throws Exception {
    PilotSubmissions.Issued failed = submissions.issue();
    Path tokenDir = failed.file().getParent();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenDir)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(failed.file())))
        .isEqualTo("rw-------");
    submissions.failed(failed);
    assertThat(failed.file()).doesNotExist();
    PilotSubmissions.Issued ended = submissions.issue();
    submissions.submitted(ended, "130", Duration.ofMinutes(1));
    slurm.job("130", "COMPLETED", "whisk", "hpcw", "n1");
    now.addAndGet(10_000);
    submissions.sweep();
    assertThat(ended.file()).doesNotExist();
    assertThat(submissions.bindings()).isEmpty();
  }

  @Test
  void aTokenDirectoryOthersCanReadIsRefused() throws Exception {
    Path open = Files.createDirectory(dir.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThatThrownBy(
            () ->
                new PilotSubmissions(credentials, MvPilotBindingStore.open(db), slurm, open, clock))
        .hasMessageContaining("has mode rwxr-xr-x, expected rwx------");
  }
}

package io.hpcwhisk.balancer.pilots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PilotCredentialsTest {

  @TempDir Path dir;

  @Test
  void aJobTokenNamesItsJobAndExpiryAndCannotBeAltered() {
    PilotCredentials c = PilotCredentials.inDataDir(dir);
    String token = c.forJob("42", Instant.ofEpochSecond(1_800_000_000L));
    assertThat(c.verify(token))
        .contains(
            new PilotCredentials.Job(
                "job-42@1800000000", "42", Instant.ofEpochSecond(1_800_000_000L)));
    // change one character inside the signature (not the last: its low bits may be base64 padding)
    int at = token.length() - 10;
    char other = token.charAt(at) == 'A' ? 'B' : 'A';
    assertThat(c.verify(token.substring(0, at) + other + token.substring(at + 1))).isEmpty();
    // a longer validity or another job cannot be written into a token: the MAC covers the scope
    String mac = token.substring(token.lastIndexOf('.'));
    assertThat(c.verify("job-42@1900000000" + mac)).isEmpty();
    assertThat(c.verify("job-43@1800000000" + mac)).isEmpty();
    assertThat(c.verify("job-42.forged")).isEmpty();
    assertThat(c.verify(null)).isEmpty();
    assertThatThrownBy(() -> c.forJob("42; rm -rf", Instant.now()))
        .hasMessageContaining("not a Slurm job id");
  }

  @Test
  void aSubmissionTokenClaimsOnlyItsScope() {
    PilotCredentials c = PilotCredentials.inDataDir(dir);
    String token = c.forSubmission();
    assertThat(c.verify(token))
        .contains(new PilotCredentials.Submission(PilotCredentials.scopeOf(token)));
    assertThat(PilotCredentials.scopeOf(token)).startsWith("sub-").doesNotContain(".");
    assertThat(c.forSubmission()).isNotEqualTo(token);
  }

  @Test
  void theSecretIsKeptPrivateAndReusedByTheNextServer() throws Exception {
    String token = PilotCredentials.inDataDir(dir).forSubmission();
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("pilot-secret"))))
        .isEqualTo("rw-------");
    assertThat(PilotCredentials.inDataDir(dir).verify(token)).isPresent();
    assertThat(new PilotCredentials(new byte[32]).verify(token)).isEmpty();
  }
}

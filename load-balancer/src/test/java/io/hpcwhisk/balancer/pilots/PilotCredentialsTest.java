package io.hpcwhisk.balancer.pilots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PilotCredentialsTest {

  @TempDir
  Path dir;

  @Test
  void aJobTokenIsValidForItsJobOnly() {
    PilotCredentials c = PilotCredentials.inDataDir(dir);
    String token = c.forJob("42");
    assertThat(c.verify(token, "42")).isPresent();
    assertThat(c.verify(token, "43")).isEmpty();
    // change one character inside the signature (not the last: its low bits may be base64 padding)
    int at = token.length() - 10;
    char other = token.charAt(at) == 'A' ? 'B' : 'A';
    assertThat(c.verify(token.substring(0, at) + other + token.substring(at + 1), "42")).isEmpty();
    assertThat(c.verify("job-42.forged", "42")).isEmpty();
    assertThat(c.verify(null, "42")).isEmpty();
    assertThatThrownBy(() -> c.forJob("42; rm -rf")).hasMessageContaining("not a Slurm job id");
  }

  @Test
  void theSecretIsKeptPrivateAndReusedByTheNextServer() throws Exception {
    String token = PilotCredentials.inDataDir(dir).forSubmission();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("pilot-secret"))))
        .isEqualTo("rw-------");
    assertThat(PilotCredentials.inDataDir(dir).verify(token, "7")).isPresent();
    assertThat(new PilotCredentials(new byte[32]).verify(token, "7")).isEmpty();
  }
}

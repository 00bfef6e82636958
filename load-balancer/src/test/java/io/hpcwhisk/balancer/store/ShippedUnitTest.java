package io.hpcwhisk.balancer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The shipped systemd unit restarts a server that failed fast (store failure: status 70; out of
 * memory: 3).
 */
class ShippedUnitTest {

  @Test
  void theServerUnitRestartsOnFailureAndExitsOnOutOfMemory() throws Exception {
    Path unit = Path.of("..", "config", "systemd", "hpc-whisk-server.service");
    String text = Files.readString(unit);
    assertThat(text)
        .containsPattern("(?m)^Restart=on-failure$")
        .containsPattern(
            "(?m)^Environment=\"HPC_WHISK_JVM_OPTS=[^\"]*-XX:\\+ExitOnOutOfMemoryError[^\"]*\"$")
        .doesNotContainPattern("(?m)^SuccessExitStatus=.*\\b70\\b");
  }
}

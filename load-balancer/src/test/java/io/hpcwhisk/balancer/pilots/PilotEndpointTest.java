package io.hpcwhisk.balancer.pilots;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PilotEndpointTest {

  @Test
  void aCloseReasonIsCutToTheWebSocketLimitOf123BytesAtACharacterBoundary() {
    assertThat(PilotEndpoint.closeReason("short")).isEqualTo("short");
    String longer =
        "pilot id slurm-" + "9".repeat(60) + " is held by a live connection; try again — ü ü ü ü ü";
    String cut = PilotEndpoint.closeReason(longer);
    assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
    assertThat(longer).startsWith(cut);
    assertThat(cut).hasSizeGreaterThan(100);
  }
}

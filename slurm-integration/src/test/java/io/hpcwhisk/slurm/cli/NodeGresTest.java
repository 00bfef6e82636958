package io.hpcwhisk.slurm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.harvest.PilotShape;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeGresTest {

  @Test
  void countsGpusOfEveryGresForm() {
    assertThat(NodeGres.count("gpu:2")).isEqualTo(2);
    assertThat(NodeGres.count("gpu:a100:4(S:0-1)")).isEqualTo(4);
    assertThat(NodeGres.count("gpu:a100:2,gpu:v100:1")).isEqualTo(3);
    assertThat(NodeGres.count("gpu:a100:2(S:0),mps:100")).isEqualTo(2);
    assertThat(NodeGres.count("")).isZero();
    assertThat(NodeGres.count("(null)")).isZero();
    assertThat(NodeGres.count("mps:100")).isZero();
  }

  @Test
  void readsSlurm2205AndSlurm24Documents() {
    String v22 =
        "{\"nodes\":[{\"name\":\"n1\",\"gres\":\"gpu:2\"},{\"name\":\"n2\",\"gres\":\"\"}]}";
    String v24 =
        "{\"sinfo\":[{\"gres\":{\"total\":\"gpu:h100:4(S:0-1)\",\"used\":\"gpu:h100:0\"},"
            + "\"nodes\":{\"nodes\":[\"g1\",\"g2\"]}},"
            + "{\"gres\":{\"total\":\"\",\"used\":\"\"},\"nodes\":{\"nodes\":[\"c1\"]}}]}";
    assertThat(NodeGres.parse(v22)).isEqualTo(Map.of("n1", 2));
    assertThat(NodeGres.parse(v24)).isEqualTo(Map.of("g1", 4, "g2", 4));
    assertThat(NodeGres.parse("not json")).isEmpty();
  }

  @Test
  void aPilotTargetedAtAGpuNodeAsksForAllItsGpusAndOthersForNone() {
    NodeGres gres = new NodeGres();
    gres.update("{\"nodes\":[{\"name\":\"n1\",\"gres\":\"gpu:2\"},{\"name\":\"n2\"}]}");
    SlurmCliPilotLauncher launcher =
        new SlurmCliPilotLauncher(
            null,
            new PilotJobSettings(
                "hpcw",
                Optional.empty(),
                Optional.empty(),
                "/dev/null",
                "#!/bin/sh\n",
                List.of(),
                Map.of()),
            PilotJobHandOff.NONE,
            gres);
    assertThat(launcher.options(shape(Optional.of("n1")))).contains("--gres=gpu:2");
    assertThat(launcher.options(shape(Optional.of("n2")))).noneMatch(o -> o.startsWith("--gres"));
    assertThat(launcher.options(shape(Optional.empty()))).noneMatch(o -> o.startsWith("--gres"));
  }

  static PilotShape shape(Optional<String> node) {
    return new PilotShape(
        "whisk", Optional.empty(), Duration.ofMinutes(5), Optional.empty(), 0, node);
  }
}

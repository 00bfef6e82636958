package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HarvestConfigTest {

  @Test
  void theDocumentedExampleParsesAndOtherSectionsAreIgnored() {
    HarvestConfig config = HarvestConfig.load(Path.of("../config/hpc-whisk.yaml"));

    assertThat(config.slurm().partition()).isEqualTo("whisk");
    assertThat(config.slurm().qos()).isEmpty();
    assertThat(config.harvest().policy()).isEqualTo("adaptive");
    assertThat(config.harvest().params()).containsEntry("max-pending", "256");
    assertThat(config.harvest().pilotJob().readScript(Path.of(".."))).startsWith("#!/bin/bash");
  }

  @Test
  void missingKeysTakeTheDefaults() {
    HarvestConfig config = HarvestConfig.parse("api:\n  port: 8080\nslurm:\n  qos: lowprio\n");

    assertThat(config.slurm().qos()).contains("lowprio");
    assertThat(config.slurm().commandTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.harvest()).isEqualTo(HarvestConfig.Harvest.defaults());
    assertThat(HarvestConfig.parse("")).isEqualTo(HarvestConfig.defaults());
  }

  @Test
  void listsAndEmptySignalAreRead() {
    HarvestConfig config = HarvestConfig.parse("""
        harvest:
          policy: fib
          params: {ladder: [2m, 4m], pending-per-length: 3}
          pilot-job: {signal: "", extra-options: [--exclusive], environment: {HPC_WHISK_GRACE: 10s}}
        """);

    assertThat(config.harvest().params()).isEqualTo(Map.of("ladder", "2m,4m", "pending-per-length", "3"));
    assertThat(config.harvest().pilotJob().signal()).isEqualTo(Optional.empty());
    assertThat(config.harvest().pilotJob().extraOptions()).isEqualTo(List.of("--exclusive"));
    assertThat(config.harvest().pilotJob().withEnvironment(Map.of("HPC_WHISK_PILOT_TOKEN", "x")).environment())
        .isEqualTo(Map.of("HPC_WHISK_GRACE", "10s", "HPC_WHISK_PILOT_TOKEN", "x"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "slurm: {partiton: whisk}                | unknown key(s) [partiton] in 'slurm'",
      "harvest: {interval: soon}               | harvest.interval: not a duration: 'soon'",
      "harvest: {policy: greedy}               | unknown harvest policy 'greedy'",
      "harvest: {params: {max-pending: lots}}  | bad value 'lots' for adaptive parameter max-pending",
      "harvest: {dry-run: maybe}               | harvest.dry-run must be true or false, got 'maybe'",
      "slurm: [a, b]                           | 'slurm' must be a mapping",
  })
  void badValuesAreNamed(String yaml, String message) {
    assertThatThrownBy(() -> HarvestConfig.parse(yaml)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}

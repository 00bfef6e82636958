package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.configuration.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    HarvestConfig config =
        HarvestConfig.parse(
            """
            harvest:
              policy: fib
              params: {ladder: [2m, 4m], pending-per-length: 3}
              pilot-job: {signal: "", extra-options: [--exclusive], environment: {HPC_WHISK_GRACE: 10s}}
            """);

    assertThat(config.harvest().params())
        .isEqualTo(Map.of("ladder", "2m,4m", "pending-per-length", "3"));
    assertThat(config.harvest().pilotJob().signal()).isEqualTo(Optional.empty());
    assertThat(config.harvest().pilotJob().extraOptions()).isEqualTo(List.of("--exclusive"));
    assertThat(
            config
                .harvest()
                .pilotJob()
                .withEnvironment(Map.of("HPC_WHISK_PILOT_TOKEN", "x"))
                .environment())
        .isEqualTo(Map.of("HPC_WHISK_GRACE", "10s", "HPC_WHISK_PILOT_TOKEN", "x"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "slurm: {partiton: whisk}                | slurm.partiton: unknown key (did you mean"
            + " slurm.partition?)",
        "harvest: {interval: soon}               | harvest.interval: \"soon\" is not a duration"
            + " (expected e.g. 5s, 1m)",
        "harvest: {interval: 50ms}               | harvest.interval: 50ms is out of range (expected"
            + " at least 100ms)",
        "harvest: {policy: greedy}               | harvest.policy: \"greedy\" is not one of: fib,"
            + " var, adaptive",
        "harvest: {params: {max-pending: lots}}  | harvest.params.max-pending: \"lots\" is not a"
            + " whole number",
        "harvest: {params: {max-pendin: 3}}      | harvest.params.max-pendin: unknown key for"
            + " policy adaptive (did you mean harvest.params.max-pending?)",
        "harvest: {dry-run: maybe}               | harvest.dry-run: \"maybe\" is not true or false",
        "harvest: {max-submissions-per-pass: 0}  | harvest.max-submissions-per-pass: 0 is out of"
            + " range (expected at least 1)",
        "harvest: {pilot-job: {extra-options: x}}| harvest.pilot-job.extra-options: \"x\" is not a"
            + " list",
        "harvest: {pilot-job: {environment: [a]}}| harvest.pilot-job.environment: a list is not a"
            + " mapping",
        "slurm: {command-timeout: 0s}            | slurm.command-timeout: 0s is out of range"
            + " (expected at least 1ms)",
        "slurm: [a, b]                           | slurm: a list is not a mapping",
      })
  void badValuesAreNamed(String yaml, String message) {
    assertThatThrownBy(() -> HarvestConfig.parse(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void harvestEnabledIsReadOnItsOwnAndChecked(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("c.yaml"), "harvest:\n  enabled: off\n");
    assertThat(HarvestConfig.enabledIn(f)).isFalse();
    assertThat(HarvestConfig.load(f)).isEqualTo(HarvestConfig.defaults());
    Files.writeString(f, "harvest:\n  interval: 2s\n");
    assertThat(HarvestConfig.enabledIn(f)).isTrue();
    Files.writeString(f, "harvest:\n  enabled: sometimes\n");
    assertThatThrownBy(() -> HarvestConfig.enabledIn(f))
        .hasMessage("harvest.enabled: \"sometimes\" is not true or false");
  }
}

package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.configuration.ConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code slurm.access}, {@code slurm.rest.url} and {@code slurm.rest.token-file}. */
class RestAccessConfigTest {

  @Test
  void cliIsTheDefaultAndRestNeedsAUrlAndATokenFile() {
    assertThat(HarvestConfig.parse("slurm: {}").slurm().access()).isEqualTo("cli");
    var rest =
        HarvestConfig.parse(
                "slurm:\n  access: rest\n  rest:\n    url: http://127.0.0.1:6820\n"
                    + "    token-file: /etc/hpc-whisk/slurm.jwt\n")
            .slurm();
    assertThat(rest.restAccess()).isTrue();
    assertThat(rest.rest().url()).hasValueSatisfying(u -> assertThat(u.getPort()).isEqualTo(6820));
    assertThat(rest.rest().tokenFile()).contains(Path.of("/etc/hpc-whisk/slurm.jwt"));
    assertThatThrownBy(() -> HarvestConfig.parse("slurm: {access: rest}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("slurm.rest.url");
    assertThatThrownBy(
            () -> HarvestConfig.parse("slurm: {access: rest, rest: {url: 'http://h:1'}}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("slurm.rest.token-file");
    assertThatThrownBy(() -> HarvestConfig.parse("slurm: {access: grpc}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("slurm.access")
        .hasMessageContaining("grpc");
    assertThatThrownBy(
            () -> HarvestConfig.parse("slurm: {rest: {url: 'unix:/run/slurmrestd.sock'}}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("slurm.rest.url")
        .hasMessageContaining("unix:/run/slurmrestd.sock");
  }
}

package io.hpcwhisk.balancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.configuration.ConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@code store.kind} and {@code store.postgres.*} keys. */
class PostgresStoreConfigTest {

  @Test
  void theEmbeddedStoreIsTheDefault() {
    assertThat(ServerConfig.DEFAULT.store().kind()).isEqualTo("embedded");
    assertThat(ServerConfig.DEFAULT.store().postgresKind()).isFalse();
    assertThat(ServerConfig.parse("store:\n  data-dir: /tmp/x\n").store().kind())
        .isEqualTo("embedded");
  }

  @Test
  void aCompletePostgresSectionIsRead() {
    ServerConfig c =
        ServerConfig.parse(
            "store:\n  kind: postgres\n  postgres:\n"
                + "    url: jdbc:postgresql://127.0.0.1:5432/hpcwhisk\n"
                + "    user: hpcwhisk\n"
                + "    password-file: /etc/hpc-whisk/pg-password\n"
                + "    pool-size: 4\n"
                + "    connect-timeout-ms: 1000\n");
    assertThat(c.store().postgresKind()).isTrue();
    assertThat(c.store().postgres().url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/hpcwhisk");
    assertThat(c.store().postgres().user()).isEqualTo("hpcwhisk");
    assertThat(c.store().postgres().passwordPath())
        .isEqualTo(Path.of("/etc/hpc-whisk/pg-password"));
    assertThat(c.store().postgres().poolSize()).isEqualTo(4);
    assertThat(c.store().postgres().connectTimeoutMs()).isEqualTo(1000);
  }

  @Test
  void badValuesNameTheKeyAndWhatWasExpected() {
    assertThatThrownBy(() -> ServerConfig.parse("store:\n  kind: couchdb\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("store.kind")
        .hasMessageContaining("embedded, postgres");
    assertThatThrownBy(() -> ServerConfig.parse("store:\n  kind: postgres\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("store.postgres.url")
        .hasMessageContaining("missing");
    assertThatThrownBy(
            () ->
                ServerConfig.parse(
                    "store:\n  kind: postgres\n  postgres:\n    url: jdbc:postgresql://h/db\n"
                        + "    user: u\n"))
        .hasMessageContaining("store.postgres.password-file");
    assertThatThrownBy(
            () -> ServerConfig.parse("store:\n  postgres:\n    url: jdbc:mysql://h/db\n"))
        .hasMessageContaining("store.postgres.url")
        .hasMessageContaining("jdbc:postgresql://");
    assertThatThrownBy(() -> ServerConfig.parse("store:\n  postgres:\n    pool-size: 0\n"))
        .hasMessageContaining("store.postgres.pool-size");
    assertThatThrownBy(() -> ServerConfig.parse("store:\n  postgres:\n    passwrd: x\n"))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void aPasswordInTheUrlIsRefusedWithoutEchoingIt() {
    assertThatThrownBy(
            () ->
                ServerConfig.parse(
                    "store:\n  postgres:\n    url: jdbc:postgresql://h/db?password=s3cr3t-pw\n"))
        .hasMessageContaining("store.postgres.url")
        .hasMessageContaining("password-file")
        .hasMessageNotContaining("s3cr3t-pw");
  }
}

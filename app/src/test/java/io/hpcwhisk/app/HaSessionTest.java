package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code up --ha} hands its servers and pilots, without starting anything. */
class HaSessionTest {

  @TempDir Path dir;

  @Test
  void pilotsGetEveryServersPilotPortNotItsApiPort() {
    HaSession session =
        new HaSession(
            new HaSession.Settings(dir, 3, 1, 3233, "adaptive", dir, "22.05"),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    // the pilots' connector listens on the API port + 1; the API port answers an upgrade with 404
    assertThat(session.pilotUrls())
        .isEqualTo(
            "ws://127.0.0.2:3234/pilot/v1,ws://127.0.0.3:3234/pilot/v1,"
                + "ws://127.0.0.4:3234/pilot/v1");
  }

  @Test
  void haproxyChecksEveryServerOnTheApiPort() {
    String cfg = HaSession.haproxyConfig(3233, 3233, 2);
    assertThat(cfg)
        .contains("bind 127.0.0.1:3233")
        .contains("server s1 127.0.0.2:3233 check")
        .contains("server s2 127.0.0.3:3233 check")
        .contains("http-request disable-l7-retry if METH_POST");
  }
}

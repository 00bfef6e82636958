package io.hpcwhisk.balancer.pilots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The real server's pilot endpoint over a real WebSocket refuses a pilot that announces protocol
 * minor 0 (never released): {@code refused} with a reason naming the minor and the expected ones,
 * close 1008, logged, nothing registered; a pilot announcing the current minor with the same
 * credential is then admitted.
 */
class ProtocolMinorIT {

  @TempDir Path dir;
  WhiskServer server;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger endpointLog = (Logger) LoggerFactory.getLogger(PilotEndpoint.class);

  @AfterEach
  void stop() {
    endpointLog.detachAppender(logs);
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aPilotAnnouncingProtocolMinorZeroIsRefusedByNameAndNothingIsRegistered() throws Exception {
    endpointLog.addAppender(logs);
    logs.start();
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withExecutor("pilots")
                    .withDrainSeconds(1))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
            .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
    server = WhiskServer.start(config, "test");
    PilotCredentials credentials = WhiskServer.pilotCredentials(config);
    PilotDispatcher dispatcher = (PilotDispatcher) server.dispatcher();
    String token = credentials.forJob("90", PilotHijackIT.UNTIL);

    PilotHijackIT.Rogue old = PilotHijackIT.Rogue.connect(server.pilotUrl(), token);
    PilotMessage.Register current = PilotHijackIT.register("90");
    old.send(
        new PilotMessage.Register(
            current.pilotId(),
            current.jobId(),
            current.node(),
            current.cpus(),
            current.memoryMb(),
            current.kinds(),
            Map.of(),
            current.deadlineMs(),
            current.jobStartMs(),
            current.launchedAtMs(),
            current.pilotVersion(),
            0));
    assertThat(old.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1008 refused");
    assertThat(old.received)
        .singleElement()
        .asString()
        .contains("\"type\":\"refused\"")
        .contains(
            "protocol minor 0 is not supported: this side speaks 1."
                + PilotProtocol.MINOR
                + " and needs minor 1 or later");
    assertThat(dispatcher.registeredJobs()).isEmpty();
    List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines)
        .anyMatch(
            l ->
                l.startsWith("refused pilot slurm-90 (job 90) from ")
                    && l.contains("protocol minor 0 is not supported"));
    assertThat(lines).noneMatch(l -> l.contains(token));

    PilotHijackIT.Rogue now = PilotHijackIT.Rogue.connect(server.pilotUrl(), token);
    now.send(current);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> now.received.stream().anyMatch(m -> m.contains("registered")));
    assertThat(now.received.get(0))
        .contains("\"type\":\"registered\"")
        .contains("\"minor\":" + PilotProtocol.MINOR);
    assertThat(dispatcher.registeredJobs()).containsEntry("slurm-90", "90");
  }
}

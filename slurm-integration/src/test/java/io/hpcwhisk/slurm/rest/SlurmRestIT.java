package io.hpcwhisk.slurm.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.slurm.cli.PilotJobHandOff;
import io.hpcwhisk.slurm.cli.PilotJobSettings;
import io.hpcwhisk.slurm.cli.ProcessCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmCliClusterView;
import io.hpcwhisk.slurm.cli.SlurmJson;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.slurm.controller.HarvestController;
import io.hpcwhisk.slurm.controller.PassReport;
import io.hpcwhisk.slurm.controller.ReconcilePass;
import io.hpcwhisk.testkit.LocalAttacker;
import io.hpcwhisk.testkit.PilotJobs;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The REST adapter against the real slurmrestd of the Slurm 24.11 local cluster (JWT auth): it
 * reads what the CLI reads, its launcher submits a pilot that runs and cancels it, a controller
 * passes over REST, and the controller survives slurmctld and slurmrestd being stopped and
 * restarted, a refused and an expired token; no token in a log line, an error or a command line,
 * and an ordinary local user cannot read the token or the JWT key.
 */
@SlurmTest
class SlurmRestIT {

  private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  @BeforeAll
  static void captureLogs() {
    LOGS.start();
    ((Logger) LoggerFactory.getLogger("io.hpcwhisk")).addAppender(LOGS);
  }

  @AfterAll
  static void releaseLogs() {
    ((Logger) LoggerFactory.getLogger("io.hpcwhisk")).detachAppender(LOGS);
  }

  @BeforeEach
  void onlyOn2411(SlurmEnv slurm) {
    Assumptions.assumeTrue(
        "24.11".equals(slurm.slurmVersion()),
        "slurmrestd runs in the Slurm 24.11 local cluster only; the slurm-24.11 pass runs this"
            + " test (-Pslurm-24.11)");
    assertThat(slurm.restUrl()).as("slurmrestd of the 24.11 cluster").isPresent();
  }

  static HarvestConfig config(SlurmEnv slurm, String access, Path tokenFile) {
    var section =
        new HarvestConfig.Slurm(
            slurm.binDir(),
            Optional.of(slurm.conf()),
            Duration.ofSeconds(20),
            "whisk",
            Optional.empty(),
            Optional.empty(),
            access,
            new HarvestConfig.Rest(slurm.restUrl(), Optional.of(tokenFile)));
    var pilotJob =
        new HarvestConfig.PilotJob(
            "hpcw-pilot",
            Path.of("config/pilot-sleep-placeholder.sbatch"),
            slurm.dir().resolve("pilot-%j.out").toString(),
            Optional.empty(),
            List.of(),
            Map.of());
    return new HarvestConfig(
        section,
        new HarvestConfig.Harvest(
            "adaptive", Map.of(), Duration.ofSeconds(1), false, 50, false, pilotJob));
  }

  static SlurmRestClient client(SlurmEnv slurm, Path tokenFile) {
    return HarvestController.restClient(
        config(slurm, "rest", tokenFile).slurm(), SlurmCli.CallObserver.NONE);
  }

  static SlurmCli cli(SlurmEnv slurm) {
    return new SlurmCli(
        slurm.binDir(),
        Duration.ofSeconds(20),
        new ProcessCommandRunner(slurm.env()),
        SlurmCli.CallObserver.NONE);
  }

  static List<Job> pilots(SlurmEnv slurm) {
    return SlurmJson.jobs(cli(slurm).squeueJson()).stream()
        .filter(j -> j.name().startsWith("hpcw-pilot") && j.state().active())
        .toList();
  }

  /** What both views must agree on: node name, state, partitions; job id, name, state, nodes. */
  static Set<String> essence(ClusterObservation o) {
    return Stream.concat(
            o.nodes().stream()
                .map(n -> "node " + n.name() + " " + n.state() + " " + n.partitions()),
            o.jobs().stream()
                .map(
                    j ->
                        "job "
                            + j.id()
                            + " "
                            + j.name()
                            + " "
                            + j.partition()
                            + " "
                            + j.state()
                            + " "
                            + j.nodes()
                            + " "
                            + j.timeLimit()))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void theRestViewReadsWhatTheCliViewReads(SlurmEnv slurm) {
    String running = slurm.sbatch("-p", "batch", "-N", "2", "-t", "5", "--wrap", "sleep 300");
    String pending = slurm.sbatch("-p", "batch", "-N", "4", "-t", "5", "--wrap", "sleep 300");
    slurm.sbatch("-p", "whisk", "-J", "hpcw-pilot-3m", "-t", "3", "--wrap", "sleep 300");
    var rest =
        new SlurmRestClusterView(client(slurm, slurm.restTokenFile()), InstantSource.system());
    var cli = new SlurmCliClusterView(cli(slurm), InstantSource.system());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              ClusterObservation viaRest = rest.observe();
              assertThat(essence(viaRest)).isEqualTo(essence(cli.observe()));
              assertThat(viaRest.jobs())
                  .extracting(j -> j.id().toString())
                  .contains(running, pending);
              assertThat(viaRest.jobs().stream().filter(j -> j.id().toString().equals(pending)))
                  .singleElement()
                  .satisfies(j -> assertThat(j.state()).isEqualTo(JobState.PENDING));
            });
  }

  @Test
  void theRestLauncherSubmitsAPilotThatRunsPassesOnlyTheCredentialsPathAndCancelsIt(SlurmEnv slurm)
      throws Exception {
    Path tokens = Files.createTempDirectory(slurm.dir(), "tokens");
    Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rwx------"));
    Path credential = tokens.resolve("pilot.token");
    Files.writeString(credential, "pilot-credential-secret-value");
    Files.setPosixFilePermissions(credential, PosixFilePermissions.fromString("rw-------"));
    PilotJobHandOff handOff =
        PilotJobHandOff.exporting(
            () -> Map.of("HPC_WHISK_PILOT_TOKEN_FILE", credential.toString()));
    var settings =
        new PilotJobSettings(
            "hpcw-pilot",
            Optional.empty(),
            Optional.empty(),
            slurm.dir().resolve("pilot-%j.out").toString(),
            "#!/bin/sh\n"
                + "echo \"token file: $HPC_WHISK_PILOT_TOKEN_FILE\"\n"
                + "echo running\n"
                + "sleep 300\n",
            List.of(),
            Map.of("HPC_WHISK_BALANCER_URL", "ws://127.0.0.1:9/pilot/v1"));
    var launcher =
        new SlurmRestPilotLauncher(client(slurm, slurm.restTokenFile()), settings, handOff);
    JobId id =
        launcher.submit(
            new PilotShape(
                "whisk",
                Optional.empty(),
                Duration.ofMinutes(3),
                Optional.of(Duration.ofMinutes(2)),
                0,
                Optional.of("n2")));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> PilotJobs.output(slurm, id.toString()).contains("running"));
    Job job = pilots(slurm).stream().filter(j -> j.id().equals(id)).findFirst().orElseThrow();
    assertThat(job.name()).isEqualTo("hpcw-pilot-3m-n2");
    assertThat(job.nodes()).containsExactly("n2");
    // A job with --time-min may be started by backfill with any limit from its minimum (2 min) to
    // its
    // maximum (3 min): Slurm shortens it to fit before a pending job's planned start.
    assertThat(job.timeMin()).contains(Duration.ofMinutes(2));
    assertThat(job.timeLimit())
        .hasValueSatisfying(
            limit -> assertThat(limit).isBetween(Duration.ofMinutes(2), Duration.ofMinutes(3)));
    assertThat(PilotJobs.output(slurm, id.toString()))
        .contains("token file: " + credential)
        .doesNotContain("pilot-credential-secret-value");
    String shown = slurm.run("scontrol", "show", "job", "-d", id.toString()).orThrow().stdout();
    assertThat(shown).doesNotContain("pilot-credential-secret-value");

    launcher.cancel(id);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> pilots(slurm).stream().noneMatch(j -> j.id().equals(id)));
    launcher.cancel(id); // already gone: not an error
  }

  @Test
  void aControllerOverRestHarvestsSurvivesEveryFaultAndNeverSubmitsTwice(SlurmEnv slurm)
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Path token = slurm.dir().resolve("controller.token");
    Files.copy(slurm.restTokenFile(), token, StandardCopyOption.REPLACE_EXISTING);
    ReconcilePass pass = HarvestController.cliPass(config(slurm, "rest", token), registry, HOME);
    ReconcilePass cliPass =
        HarvestController.cliPass(config(slurm, "cli", token), new SimpleMeterRegistry(), HOME);

    PassReport first = pass.run();
    assertThat(first.failure()).isEmpty();
    assertThat(first.executed()).as("pilots submitted over REST: " + first.summary()).isPositive();
    await().atMost(Duration.ofSeconds(30)).until(() -> pilots(slurm).size() >= first.executed());
    List<JobId> fleet = pilots(slurm).stream().map(Job::id).sorted().toList();
    assertThat(pass.run().failure()).isEmpty();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> pilots(slurm).stream().map(Job::id).sorted().toList().equals(fleet));

    // slurmrestd stopped: no pass acts, one line, counted; back by itself when it returns
    int warnings = outageLines();
    ProcessHandle.of(slurm.daemonPid("slurmrestd")).orElseThrow().destroy();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                pass.run().failure().map(f -> f.contains("cannot reach slurmrestd")).orElse(false));
    pass.run();
    pass.run();
    assertThat(outageLines() - warnings).as("one log line for the outage").isEqualTo(1);
    assertThat(errors(registry, "unreachable")).isGreaterThanOrEqualTo(3);
    slurm.restartRest();
    Files.copy(slurm.restTokenFile(), token, StandardCopyOption.REPLACE_EXISTING);
    assertThat(pass.run().failure()).isEmpty();
    assertThat(pilots(slurm).stream().map(Job::id).sorted().toList())
        .as("kept, none twice")
        .isEqualTo(fleet);

    // slurmctld stopped (by the pid the cluster recorded): REST and CLI both pause, then recover
    ProcessHandle ctld = ProcessHandle.of(slurm.daemonPid("slurmctld")).orElseThrow();
    ctld.destroy();
    ctld.onExit().get(20, TimeUnit.SECONDS);
    PassReport down = pass.run();
    assertThat(down.failure()).hasValueSatisfying(f -> assertThat(f).contains("slurmctld"));
    assertThat(cliPass.run().failure()).isPresent();
    slurm.restartSlurmctld();
    await().atMost(Duration.ofSeconds(30)).until(() -> pass.run().failure().isEmpty());
    assertThat(cliPass.run().failure()).isEmpty();
    assertThat(pilots(slurm).stream().map(Job::id).sorted().toList())
        .as("slurmctld recovered its state: the same pilots, none twice")
        .isEqualTo(fleet);

    // a wrong token: refused, counted as auth; the file rotated to a good one is picked up
    Files.writeString(token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdW4iOiJyb290In0.d3Jvbmc\n");
    PassReport refused = pass.run();
    assertThat(refused.failure()).isPresent();
    assertThat(errors(registry, "auth")).isPositive();
    // an expired token
    String shortLived =
        slurm
            .run("scontrol", "token", "username=" + System.getProperty("user.name"), "lifespan=2")
            .orThrow()
            .stdout()
            .strip();
    Files.writeString(token, shortLived + "\n");
    Files.setLastModifiedTime(token, FileTime.fromMillis(System.currentTimeMillis() + 1000));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> pass.run().failure().map(f -> f.contains("refused the token")).orElse(false));
    Files.copy(slurm.restTokenFile(), token, StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(token, FileTime.fromMillis(System.currentTimeMillis() + 2000));
    assertThat(pass.run().failure()).as("the rotated token").isEmpty();
    assertThat(pilots(slurm).stream().map(Job::id).sorted().toList()).isEqualTo(fleet);

    // no token anywhere it should not be
    String good = Files.readString(slurm.restTokenFile()).strip();
    String jwtSignature = good.substring(good.lastIndexOf('.') + 1);
    assertThat(LOGS.list)
        .allSatisfy(
            e -> {
              assertThat(e.getFormattedMessage()).doesNotContain(jwtSignature);
              if (e.getThrowableProxy() != null) {
                assertThat(e.getThrowableProxy().getMessage()).doesNotContain(jwtSignature);
              }
            });
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          assertThat(new String(Files.readAllBytes(p.resolve("cmdline"))))
              .as(p + "/cmdline")
              .doesNotContain(jwtSignature);
        } catch (IOException gone) {
          // the process ended
        }
      }
    }
  }

  @Test
  void anOrdinaryUserCannotReadTheTokenOrTheJwtKey(SlurmEnv slurm) throws Exception {
    LocalAttacker attacker = LocalAttacker.ensure();
    Path key = slurm.dir().resolve("jwt/jwt_hs256.key");
    assertThat(Files.getPosixFilePermissions(key))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(attacker.canRead(key)).as("the JWT key").isFalse();
    assertThat(attacker.canRead(slurm.restTokenFile())).as("the token").isFalse();
    // and with a token file others could read, the controller does not start
    Path open = slurm.dir().resolve("open.token");
    Files.copy(slurm.restTokenFile(), open, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    Assertions.assertThatThrownBy(
            () ->
                HarvestController.cliPass(
                    config(slurm, "rest", open), new SimpleMeterRegistry(), HOME))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(open.toString())
        .hasMessageContaining("chmod 600");
  }

  private static int outageLines() {
    return (int)
        LOGS.list.stream()
            .filter(e -> e.getFormattedMessage().startsWith("Slurm unreachable"))
            .count();
  }

  private static double errors(SimpleMeterRegistry registry, String reason) {
    return registry.get("hpcwhisk.slurm.errors").tag("reason", reason).counter().count();
  }
}

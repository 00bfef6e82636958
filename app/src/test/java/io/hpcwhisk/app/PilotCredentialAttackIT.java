package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.balancer.store.PilotBinding;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.testkit.LocalAttacker;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attacks on the pilot credentials of the real server (API, balancer and harvest controller in this
 * JVM) with real pilot jobs on the local Slurm cluster, from an ordinary local account ({@link
 * LocalAttacker}) and from a client holding a stolen or forged credential. Each attack must fail,
 * and the refusals must be logged.
 *
 * <p>The issued credentials are known to the test (root) as the server knows them: the scopes of
 * the bindings the server keeps, signed with the secret in its data directory. They are then looked
 * for, verbatim, in what the attacker saw and in every log.
 */
@SlurmTest
class PilotCredentialAttackIT {

  /** Anything shaped like a pilot credential: a submission or job scope, a dot, a MAC. */
  static final Pattern TOKEN_SHAPE =
      Pattern.compile("(sub-[A-Za-z0-9_-]{8,64}|job-[0-9]+@[0-9]+)\\.[A-Za-z0-9_-]{40,}");

  @TempDir Path dir;
  Path data;
  Path log;
  FileAppender<ILoggingEvent> appender;
  PrintStream originalOut;
  ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  SystemServer server;

  @BeforeEach
  void captureLogsAndStdout() {
    data = dir.resolve("data");
    log = dir.resolve("server.log");
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern("%d %-5level [%thread] %logger - %msg%n%ex");
    encoder.start();
    appender = new FileAppender<>();
    appender.setContext(ctx);
    appender.setName("pilot-credential-attack");
    appender.setFile(log.toString());
    appender.setEncoder(encoder);
    appender.start();
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    originalOut = System.out;
    PrintStream tee =
        new PrintStream(
            new OutputStream() {
              @Override
              public void write(int b) {
                stdout.write(b);
                originalOut.write(b);
              }

              @Override
              public void write(byte[] b, int off, int len) {
                stdout.write(b, off, len);
                originalOut.write(b, off, len);
              }
            },
            true,
            StandardCharsets.UTF_8);
    System.setOut(tee);
  }

  @AfterEach
  void stop() {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      System.setOut(originalOut);
      ((LoggerContext) LoggerFactory.getILoggerFactory())
          .getLogger(Logger.ROOT_LOGGER_NAME)
          .detachAppender(appender);
      appender.stop();
    }
  }

  /**
   * The server with its token directory outside the (0700) data directory, in the test directory
   * the attacker may enter: only the token directory's own mode keeps the attacker out.
   */
  SystemServer start(SlurmEnv slurm, int port, HarvestConfig harvest) throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    var config = SystemFixture.serverConfig(port, data);
    config = config.withPilots(config.balancer().withTokenDir(dir.resolve("tokens").toString()));
    return SystemServer.start(config, Optional.of(harvest), SystemFixture.HOME, "test", r -> {});
  }

  /**
   * The full credential of a binding, made as the server makes it (HMAC-SHA256 of the scope, its
   * secret).
   */
  String tokenOf(String scope) throws Exception {
    byte[] secret = HexFormat.of().parseHex(Files.readString(data.resolve("pilot-secret")).strip());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    return scope
        + "."
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(mac.doFinal(scope.getBytes(StandardCharsets.UTF_8)));
  }

  List<PilotBinding> bindings() {
    return server.server().pilotSubmissions().orElseThrow().bindings();
  }

  Path tokenDir() {
    return server.server().pilotSubmissions().orElseThrow().tokenDir();
  }

  /** Everything the server wrote: its log, its stdout, and the output of every pilot job. */
  String everythingLogged() throws Exception {
    StringBuilder all =
        new StringBuilder(Files.readString(log)).append(stdout.toString(StandardCharsets.UTF_8));
    Path pilots = dir.resolve("pilots");
    if (Files.isDirectory(pilots)) {
      try (var files = Files.list(pilots)) {
        for (Path f : files.toList()) {
          all.append(Files.readString(f));
        }
      }
    }
    return all.toString();
  }

  @Test
  void anAttackerScanningProcessesAndLogsDuringSixtySecondsOfSubmissionsFindsNoCredential(
      SlurmEnv slurm) throws Exception {
    LocalAttacker attacker = LocalAttacker.ensure();
    server =
        start(
            slurm,
            SystemFixture.freePort(),
            SystemFixture.harvestConfig(slurm, dir, "adaptive", Map.of()));
    PilotDispatcher dispatcher = (PilotDispatcher) server.server().dispatcher();
    // a control the scan must find: a root process with a credential-shaped argument for the whole
    // scan
    String control = "sub-CONTROLcontrol0123.CONTROLmac0123456789012345678901234567890123";
    Process controlProcess = new ProcessBuilder("/bin/sh", "-c", "sleep 90", control).start();
    Set<String> scopes = new ConcurrentSkipListSet<>();
    CompletableFuture<LocalAttacker.Result> scan =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                // every process's command line and environment, the server's log and the token
                // directory, for 60 s
                return attacker.shell(
                    Duration.ofSeconds(90),
                    "end=$((SECONDS+60)); while [ $SECONDS -lt $end ]; do cat /proc/[0-9]*/cmdline"
                        + " /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n"
                        + "'; cat '"
                        + log
                        + "' '"
                        + tokenDir()
                        + "'/* '"
                        + dir.resolve("pilots")
                        + "'/* 2>/dev/null; sleep 0.02; done | grep -aoE"
                        + " '(sub-[A-Za-z0-9_-]{8,64}|job-[0-9]+@[0-9]+)\\.[A-Za-z0-9_-]{40,}' |"
                        + " sort -u");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Set<String> rootSaw = new TreeSet<>();
    int[] environsWithTokenFile = {0};
    try {
      Instant end = Instant.now().plusSeconds(60);
      Instant nextCycle = Instant.now().plusSeconds(20);
      Instant nextRootScan = Instant.now();
      while (Instant.now().isBefore(end)) {
        bindings().forEach(b -> scopes.add(b.scope()));
        if (Instant.now().isAfter(nextRootScan)) {
          // as root: every process's environment too, the pilots' JVMs included (the attacker
          // cannot read those)
          environsWithTokenFile[0] += scanProcesses(rootSaw);
          nextRootScan = Instant.now().plusSeconds(2);
        }
        if (Instant.now().isAfter(nextCycle) && dispatcher.snapshot().pilots() > 0) {
          // pilots that registered are cancelled, so the controller keeps submitting new ones
          slurm.run("scancel", "--partition=whisk");
          nextCycle = Instant.now().plusSeconds(20);
        }
        await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> true);
      }
      LocalAttacker.Result seen = scan.get(60, TimeUnit.SECONDS);
      Set<String> issued = new TreeSet<>();
      for (String scope : scopes) {
        issued.add(tokenOf(scope));
      }
      System.out.printf(
          "[attack-it] %d credentials issued and bound in 60 s; the attacker saw: %s%n",
          issued.size(), seen.stdout().strip().replace('\n', ' '));
      assertThat(issued).as("the controller kept submitting pilots").hasSizeGreaterThanOrEqualTo(4);
      assertThat(seen.stdout())
          .as("the scan works: it sees a root process's command line")
          .contains(control);
      String logged = everythingLogged();
      assertThat(logged)
          .as("pilots registered through the file hand-off and Slurm verification")
          .containsPattern("pilot slurm-[0-9]+ registered from");
      for (String token : issued) {
        assertThat(seen.stdout()).doesNotContain(token);
        assertThat(logged).doesNotContain(token);
      }
      assertThat(seen.stdout().lines().filter(l -> !l.equals(control)).toList())
          .as("credential-shaped strings")
          .isEmpty();
      // root's view: no process environment or command line, no Slurm job record holds a credential
      rootSaw.remove(control);
      assertThat(environsWithTokenFile[0])
          .as("pilot environments seen (HPC_WHISK_PILOT_TOKEN_FILE)")
          .isPositive();
      assertThat(rootSaw)
          .as("credential-shaped strings in /proc/*/environ and cmdline, read as root")
          .isEmpty();
      String records =
          slurm.run("scontrol", "show", "job", "-dd").stdout()
              + slurm.run("squeue", "--json", "--states=all").stdout();
      assertThat(records).as("the pilots' job records").contains("hpcw-pilot");
      for (String token : issued) {
        assertThat(records)
            .as("Slurm's job records (scontrol show job -dd, squeue --json)")
            .doesNotContain(token);
      }
      assertThat(
              TOKEN_SHAPE
                  .matcher(logged)
                  .results()
                  .map(r -> r.group())
                  .filter(t -> !t.equals(control))
                  .toList())
          .as("credential-shaped strings in the logs (but the control this test printed)")
          .isEmpty();
      // the token files and their directory are closed to the attacker
      Path tokens = tokenDir();
      assertThat(attacker.shell(Duration.ofSeconds(10), "ls '" + tokens + "'").exitCode())
          .isNotZero();
      Path probe = server.server().pilotSubmissions().orElseThrow().issue().file();
      assertThat(attacker.canRead(probe)).isFalse();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens)))
          .isEqualTo("rwx------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(probe)))
          .isEqualTo("rw-------");
    } finally {
      controlProcess.destroyForcibly();
    }
  }

  /**
   * Reads every process's command line and environment (as root) and adds the credential-shaped
   * strings in them to {@code found}; answers how many environments named a token file.
   */
  static int scanProcesses(Set<String> found) {
    int withTokenFile = 0;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(d -> d.getFileName().toString().matches("[0-9]+")).toList()) {
        for (String part : List.of("cmdline", "environ")) {
          try {
            String text =
                new String(Files.readAllBytes(p.resolve(part)), StandardCharsets.UTF_8)
                    .replace('\0', '\n');
            TOKEN_SHAPE.matcher(text).results().forEach(r -> found.add(r.group()));
            if (part.equals("environ") && text.contains("HPC_WHISK_PILOT_TOKEN_FILE=")) {
              withTokenFile++;
            }
          } catch (IOException | RuntimeException e) {
            // the process ended meanwhile
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return withTokenFile;
  }

  @Test
  void aFailingSbatchLogsNoCredentialAndLeavesNoTokenFile(SlurmEnv slurm) throws Exception {
    HarvestConfig base = SystemFixture.harvestConfig(slurm, dir, "adaptive", Map.of());
    var h = base.harvest();
    var job = h.pilotJob();
    HarvestConfig failing =
        new HarvestConfig(
            base.slurm(),
            new HarvestConfig.Harvest(
                h.policy(),
                h.params(),
                h.interval(),
                h.dryRun(),
                h.maxSubmissionsPerPass(),
                h.expeditePreemption(),
                new HarvestConfig.PilotJob(
                    job.namePrefix(),
                    job.script(),
                    job.output(),
                    job.signal(),
                    List.of("--mem=999999"),
                    job.environment())));
    server = start(slurm, SystemFixture.freePort(), failing);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(log).contains("--mem=999999"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> count(Files.readString(log), "--mem=999999") >= 3);
    String logged = everythingLogged();
    assertThat(logged)
        .contains("could not carry out")
        .contains("HPC_WHISK_PILOT_TOKEN_FILE=")
        .doesNotContain("HPC_WHISK_PILOT_TOKEN=");
    assertThat(TOKEN_SHAPE.matcher(logged).results().map(r -> r.group()).toList()).isEmpty();
    assertThat(bindings()).isEmpty();
    try (var files = Files.list(tokenDir())) {
      assertThat(files.toList())
          .as("the token file of every failed submission is deleted")
          .isEmpty();
    }
  }

  static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  /**
   * Registers over a real WebSocket with {@code token} as job {@code job} on {@code node}; the
   * balancer's answer.
   */
  static BalancerMessage register(String url, String token, String job, String node)
      throws Exception {
    CompletableFuture<BalancerMessage> reply = new CompletableFuture<>();
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Authorization", "Bearer " + token)
            .buildAsync(
                URI.create(url),
                new WebSocket.Listener() {
                  final StringBuilder text = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(
                      WebSocket socket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      reply.complete(PilotProtocol.decodeBalancerMessage(text.toString()));
                    }
                    socket.request(1);
                    return null;
                  }

                  @Override
                  public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
                    reply.completeExceptionally(
                        new IllegalStateException("closed " + code + " " + reason));
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    long now = System.currentTimeMillis();
    ws.sendText(
        PilotProtocol.encode(
            new PilotMessage.Register(
                "slurm-" + job,
                job,
                node,
                2,
                1000,
                List.of("nodejs:20"),
                Map.of(),
                now + 600_000,
                now,
                now,
                "attacker",
                PilotProtocol.MINOR)),
        true);
    try {
      return reply.get(30, TimeUnit.SECONDS);
    } finally {
      ws.abort();
    }
  }

  @Test
  void stolenForgedAndEndedCredentialsAreRefusedAndLoggedAlsoAfterARestart(SlurmEnv slurm)
      throws Exception {
    int port = SystemFixture.freePort();
    HarvestConfig harvest = SystemFixture.harvestConfig(slurm, dir, "adaptive", Map.of());
    server = start(slurm, port, harvest);
    String url = server.server().pilotUrl();
    PilotDispatcher dispatcher = (PilotDispatcher) server.server().dispatcher();
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> dispatcher.registeredJobs().size() >= 2);
    Map<String, String> nodeOf = new TreeMap<>();
    for (String job : dispatcher.registeredJobs().values()) {
      nodeOf.put(job, slurm.run("squeue", "-h", "-j", job, "-o", "%N").stdout().strip());
    }
    List<String> jobs = new ArrayList<>(nodeOf.keySet());
    String victim = jobs.get(0);
    String thief = jobs.get(1);
    String stolen =
        tokenOf(
            bindings().stream()
                .filter(b -> b.jobId().equals(thief))
                .findFirst()
                .orElseThrow()
                .scope());

    // (c) the running pilot's credential, presented for the other running pilot's id: that id is
    // held by a live
    // connection, so the attempt is refused before its credential is even looked at (close 1013)
    assertHeldByALiveConnection(() -> register(url, stolen, victim, nodeOf.get(victim)), victim);
    // ... for a made-up job
    assertRefused(
        register(url, stolen, "999999", "n1"),
        "bound to job " + thief + ", not valid for job 999999");
    // ... for its own job (and the right node): that id is live too
    assertHeldByALiveConnection(() -> register(url, stolen, thief, nodeOf.get(thief)), thief);
    // a forged credential (right shape, wrong MAC)
    String forged = stolen.substring(0, stolen.lastIndexOf('.') + 1) + "A".repeat(43);
    assertRefused(register(url, forged, "999998", "n1"), "invalid credential");
    String logged = Files.readString(log);
    assertThat(logged)
        .contains("refused pilot slurm-" + victim)
        .contains("refused pilot slurm-999999")
        .doesNotContain(stolen)
        .doesNotContain(forged);

    // (d) the thief's job is cancelled; the server restarts; its credential admits nobody
    slurm.run("scancel", thief);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !slurm.jobState(thief).matches("RUNNING|PENDING|COMPLETING"));
    server.close();
    server = null;
    server = start(slurm, port, harvest);
    PilotDispatcher restarted = (PilotDispatcher) server.server().dispatcher();
    assertThat(bindings())
        .as("the binding of the running pilot survived the restart")
        .anyMatch(b -> b.jobId().equals(victim));
    await()
        .atMost(Duration.ofSeconds(40))
        .until(() -> bindings().stream().noneMatch(b -> b.jobId().equals(thief)));
    assertRefused(register(url, stolen, thief, nodeOf.get(thief)), "bound to no job");
    // a valid job credential of that job (as `hpc-whisk pilot-token --job` writes one): the real
    // squeue says the job
    // no longer runs (the node rule and the others are PilotAdmissionTest's and
    // SlurmPilotJobVerifierTest's)
    String jobToken =
        PilotCredentials.inDataDir(data).forJob(thief, Instant.now().plusSeconds(600));
    assertRefused(register(url, jobToken, thief, nodeOf.get(thief)), "not RUNNING");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> restarted.registeredJobs().containsValue(victim));
    assertThat(Files.readString(log))
        .contains("refused pilot slurm-" + thief)
        .doesNotContain(stolen)
        .doesNotContain(jobToken);
  }

  /**
   * The registration was closed with 1013: the pilot id is held by a live connection (refused
   * before admission).
   */
  static void assertHeldByALiveConnection(Callable<BalancerMessage> attempt, String job) {
    assertThatThrownBy(attempt::call)
        .hasRootCauseInstanceOf(IllegalStateException.class)
        .rootCause()
        .hasMessageStartingWith(
            "closed 1013 pilot id slurm-" + job + " is held by a live connection");
  }

  static void assertRefused(BalancerMessage reply, String reason) {
    assertThat(reply).isInstanceOf(BalancerMessage.Refused.class);
    assertThat(((BalancerMessage.Refused) reply).reason()).contains(reason);
  }
}

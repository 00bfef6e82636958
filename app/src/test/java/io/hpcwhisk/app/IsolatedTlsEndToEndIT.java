package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.balancer.tls.PemFiles;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.localcluster.Commands;
import io.hpcwhisk.localcluster.LocalClusterSpec;
import io.hpcwhisk.localcluster.NodeNetwork;
import io.hpcwhisk.localcluster.SlurmInstallation;
import io.hpcwhisk.slurm.cli.ProcessCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmJson;
import io.hpcwhisk.testkit.Required;
import io.hpcwhisk.testkit.SlurmTiming;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EndToEndIT}'s system on isolated nodes with TLS, shorter: {@code hpc-whisk up
 * --isolated-nodes --tls} on its own 2-node cluster (each slurmd, and so each pilot, in a network
 * namespace of its own; the server on the host side), the official {@code openwhisk} npm client
 * over HTTPS trusting the local CA through {@code NODE_EXTRA_CA_CERTS}, a seeded batch workload, a
 * pilot SIGKILL and a server restart. Checks every pilot process's {@code /proc/PID/ns/net} differs
 * from the server's, the same goals as EndToEndIT (exactly one record per accepted activation,
 * retry-safe success, batch start delay against the grace time), that the npm client without the CA
 * is refused, and that stopping leaves no namespace, link or route.
 */
@Tag("slurm")
class IsolatedTlsEndToEndIT {

  static final Duration LOAD = Duration.ofSeconds(90);
  static final int RATE = 4;

  @TempDir Path dir;

  @Test
  void theSystemOnIsolatedNodesWithTlsUnderBatchLoadAndFaults() throws Exception {
    Path e2e = SystemFixture.HOME.resolve("e2e");
    boolean ready =
        SystemFixture.onPath("node")
            && Files.isDirectory(e2e.resolve("node_modules/openwhisk"))
            && Commands.locate("ip").isPresent()
            && Commands.locate("nsenter").isPresent();
    Required.on(ready, "node, e2e/node_modules/openwhisk (npm ci --prefix e2e), ip and nsenter");

    int port = SystemFixture.freePort();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    UpSession session =
        new UpSession(
            new UpSession.Settings(
                dir.resolve("up"),
                2,
                port,
                "adaptive",
                1,
                false,
                Duration.ofSeconds(60),
                SystemFixture.HOME,
                true,
                true,
                SlurmInstallation.DEFAULT_VERSION),
            out);
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    NodeNetwork network = null;
    try {
      session.start();
      network = session.cluster().network().orElseThrow();
      Path ca = session.caCertificate().orElseThrow();
      assertThat(printed.toString(StandardCharsets.UTF_8)).contains("CA certificate: " + ca);
      String base = session.apiHost();
      assertThat(base).isEqualTo("https://127.0.0.1:" + port);
      assertThat(session.server().server().pilotUrl())
          .startsWith("wss://" + network.hostAddress() + ":");
      HttpClient https =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .sslContext(trusting(ca))
              .build();
      Map<String, String> slurmEnv = session.cluster().clientEnv();
      SlurmCli cli =
          new SlurmCli(
              Optional.empty(),
              Duration.ofSeconds(15),
              new ProcessCommandRunner(slurmEnv),
              (c, took, ok) -> {});

      put(https, base, "e2e-node", "nodejs:default", EndToEndIT.NODE_ACTION);
      put(https, base, "e2e-py", "python:default", EndToEndIT.PYTHON_ACTION);
      for (String action : List.of("e2e-node", "e2e-py")) {
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () ->
                    call(
                                https,
                                "POST",
                                base
                                    + "/api/v1/namespaces/guest/actions/"
                                    + action
                                    + "?blocking=true&result=true",
                                "{\"n\":-1}")
                            .statusCode()
                        == 200);
      }

      // every pilot process runs in a node's network namespace, not in the server's
      String serverNs = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
      String pilotUrl = session.server().server().pilotUrl();
      List<Long> pilots = pilotProcesses(pilotUrl);
      assertThat(pilots).as("pilot processes of this server").isNotEmpty();
      for (long pid : pilots) {
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString())
            .as("netns of pilot " + pid)
            .isNotEqualTo(serverNs);
      }

      // the npm client without the CA refuses the server's certificate; with it, it invokes over
      // HTTPS
      ProcessBuilder untrusting =
          new ProcessBuilder(
                  "node", e2e.resolve("invoke.js").toString(), "demo/hello", "{\"name\":\"tls\"}")
              .redirectErrorStream(true);
      untrusting.environment().put("OW_APIHOST", base);
      untrusting.environment().put("OW_AUTH", SystemFixture.GUEST);
      untrusting.environment().remove("NODE_EXTRA_CA_CERTS");
      Process refused = untrusting.start();
      String refusedText =
          new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(refusedText).doesNotContain("Hello, tls!").containsIgnoringCase("certificate");
      untrusting.environment().put("NODE_EXTRA_CA_CERTS", ca.toString());
      Process trusted = untrusting.start();
      String trustedText =
          new String(trusted.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(trusted.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(trustedText).contains("Hello, tls!");

      // the API listens on the cluster network's host side too, for actions on the nodes: an
      // action there reaches it at __OW_API_HOST with its activation's key; OpenWhisk's public
      // guest key is refused on that address (it works on loopback only)
      String hostSideApi = "https://" + network.hostAddress() + ":" + port;
      var guestThere = call(https, "GET", hostSideApi + "/api/v1/namespaces/guest/actions", null);
      assertThat(guestThere.statusCode())
          .as("the public guest key on the host side: " + guestThere.body())
          .isEqualTo(401);
      assertThat(guestThere.body()).doesNotContain("Exception").contains("\"code\"");
      String callsBack =
          "{\"exec\":{\"kind\":\"python:default\",\"code\":"
              + UpSession.json(CALLS_THE_API)
              + "},\"annotations\":[{\"key\":\"provide-api-key\",\"value\":true}]}";
      assertThat(
              call(
                      https,
                      "PUT",
                      base + "/api/v1/namespaces/guest/actions/e2e-calls-api?overwrite=true",
                      callsBack)
                  .statusCode())
          .isEqualTo(200);
      var fromNode =
          call(
              https,
              "POST",
              base + "/api/v1/namespaces/guest/actions/e2e-calls-api?blocking=true&result=true",
              "{\"ca\":" + UpSession.json(Files.readString(ca)) + "}");
      assertThat(fromNode.statusCode()).as(fromNode.body()).isEqualTo(200);
      assertThat(fromNode.body())
          .as("an action on an isolated node calls the API at the host side")
          .contains("\"host\":\"" + hostSideApi + "\"")
          .contains("\"status\":200");

      // Slurm sampling, the seeded batch workload, the faults
      UpDashboard coverage = new UpDashboard(cli, new SimpleMeterRegistry(), "hpcw-pilot");
      Map<String, Instant> batchSubmit = new ConcurrentHashMap<>();
      Map<String, Instant> batchStart = new ConcurrentHashMap<>();
      Map<String, Boolean> startable = new ConcurrentHashMap<>();
      AtomicReference<UpDashboard.Frame> lastFrame = new AtomicReference<>();
      List<String> faults = new CopyOnWriteArrayList<>();
      timer.scheduleAtFixedRate(
          () -> {
            try {
              lastFrame.set(coverage.sample(Instant.now()));
              for (Job job : SlurmJson.jobs(cli.squeueJson())) {
                if (!job.name().startsWith("hpcw-pilot") && job.state() != JobState.PENDING) {
                  job.startTime().ifPresent(t -> batchStart.putIfAbsent(job.id().toString(), t));
                }
              }
            } catch (RuntimeException e) {
              System.out.println("[e2e-tls] sample failed: " + e.getMessage());
            }
          },
          0,
          1,
          TimeUnit.SECONDS);
      for (EndToEndIT.Batch b : EndToEndIT.workload(EndToEndIT.SEED, LOAD, 2)) {
        timer.schedule(
            () -> EndToEndIT.submit(cli, 2, b, batchSubmit, startable),
            b.offset().toMillis(),
            TimeUnit.MILLISECONDS);
      }
      // the SIGKILL waits for its event, a pilot whose step runs, from +35 % of the load on; the
      // server restart comes after it (at +60 % or 5 s after the kill, whichever is later), so the
      // two faults never race. On 2 nodes under batch load no pilot may run for a while (both nodes
      // taken by batch jobs): a fixed window (+35..55 %) found none once in CI. Only a load without
      // a running pilot until +80 % is a failure.
      long started = System.currentTimeMillis();
      long killFrom = LOAD.toMillis() * 35 / 100;
      long killUntil = LOAD.toMillis() * 80 / 100;
      long restartAt = LOAD.toMillis() * 60 / 100;
      Runnable restart =
          () -> {
            Instant t0 = Instant.now();
            faults.add(
                "server restart begins at +"
                    + (System.currentTimeMillis() - started) / 1000.0
                    + " s");
            try {
              session.restartServer();
              faults.add(
                  "server restarted in "
                      + Duration.between(t0, Instant.now()).toMillis()
                      + " ms; recovery "
                      + session.server().server().recovery());
            } catch (Exception e) {
              faults.add("server restart FAILED: " + e);
            }
          };
      Runnable restartLater =
          () ->
              timer.schedule(
                  restart,
                  Math.max(restartAt - (System.currentTimeMillis() - started), 5_000),
                  TimeUnit.MILLISECONDS);
      Runnable[] killer = new Runnable[1];
      killer[0] =
          () -> {
            for (Job job : SlurmJson.jobs(cli.squeueJson())) {
              if (job.name().startsWith("hpcw-pilot")
                  && job.state() == JobState.RUNNING
                  && stepRuns(slurmEnv, job.id() + ".0")) {
                var r =
                    Commands.run(
                        List.of("scancel", "--signal=KILL", job.id() + ".0"),
                        slurmEnv,
                        Duration.ofSeconds(15));
                faults.add(
                    "SIGKILL to pilot job "
                        + job.id()
                        + " at +"
                        + (System.currentTimeMillis() - started) / 1000.0
                        + " s (exit "
                        + r.exitCode()
                        + ")");
                restartLater.run();
                return;
              }
            }
            if (System.currentTimeMillis() - started < killUntil) {
              timer.schedule(killer[0], 500, TimeUnit.MILLISECONDS);
            } else {
              faults.add("no running pilot to SIGKILL from +35 % to +80 % of the load: FAILED");
              restartLater.run();
            }
          };
      timer.schedule(killer[0], killFrom, TimeUnit.MILLISECONDS);

      Instant loadStart = Instant.now();
      Path results = dir.resolve("load.jsonl");
      ProcessBuilder loadCommand =
          new ProcessBuilder(
                  "node",
                  e2e.resolve("load.js").toString(),
                  Long.toString(LOAD.toSeconds()),
                  Integer.toString(RATE),
                  results.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("load.log").toFile());
      loadCommand.environment().put("OW_APIHOST", base);
      loadCommand.environment().put("OW_AUTH", SystemFixture.GUEST);
      loadCommand.environment().put("NODE_EXTRA_CA_CERTS", ca.toString());
      Process load = loadCommand.start();
      load.getOutputStream().close();
      boolean ended = load.waitFor(LOAD.toSeconds() + 120, TimeUnit.SECONDS);
      if (!ended) {
        load.destroyForcibly();
      }
      System.out.println("[e2e-tls] load.js: " + Files.readString(dir.resolve("load.log")).strip());
      assertThat(ended).as("load.js finished").isTrue();
      timer.shutdownNow();
      timer.awaitTermination(30, TimeUnit.SECONDS);

      // pilots started after the restart and the kill run in node namespaces too
      for (long pid : pilotProcesses(session.server().server().pilotUrl())) {
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString())
            .isNotEqualTo(serverNs);
      }

      ObjectMapper json = new ObjectMapper();
      List<JsonNode> lines = new ArrayList<>();
      for (String line : Files.readAllLines(results)) {
        lines.add(json.readTree(line));
      }
      List<String> accepted =
          lines.stream().filter(l -> l.hasNonNull("id")).map(l -> l.path("id").asText()).toList();
      Map<String, String> status = new ConcurrentHashMap<>();
      Map<String, String> reasons = new ConcurrentHashMap<>();
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () -> {
                for (String id : accepted) {
                  if (!status.containsKey(id)) {
                    var r =
                        call(
                            https,
                            "GET",
                            base + "/api/v1/namespaces/guest/activations/" + id,
                            null);
                    if (r.statusCode() == 200) {
                      JsonNode response = json.readTree(r.body()).path("response");
                      status.put(id, response.path("status").asText());
                      if (!"success".equals(response.path("status").asText())) {
                        reasons.put(id, response.path("result").path("error").asText(""));
                      }
                    }
                  }
                }
                return status.size() == accepted.size();
              });
      Map<String, Integer> records = new HashMap<>();
      for (int skip = 0; ; skip += 200) {
        JsonNode page =
            json.readTree(
                call(
                        https,
                        "GET",
                        base + "/api/v1/namespaces/guest/activations?limit=200&skip=" + skip,
                        null)
                    .body());
        page.forEach(a -> records.merge(a.path("activationId").asText(), 1, Integer::sum));
        if (page.size() < 200) {
          break;
        }
      }
      long duplicates = records.values().stream().filter(n -> n > 1).count();
      long withOneRecord = accepted.stream().filter(id -> records.getOrDefault(id, 0) == 1).count();
      Map<String, Long> byStatus = new TreeMap<>();
      status.values().forEach(x -> byStatus.merge(x, 1L, Long::sum));
      double successPercent =
          100.0 * byStatus.getOrDefault("success", 0L) / Math.max(1, accepted.size());
      List<Double> delays = new ArrayList<>();
      Instant now = Instant.now();
      startable.forEach(
          (id, yes) -> {
            Instant submitted = batchSubmit.get(id);
            if (yes && submitted != null) {
              double delay =
                  Math.max(
                      0,
                      Duration.between(submitted, batchStart.getOrDefault(id, now)).toMillis()
                          / 1000.0);
              delays.add(delay);
              System.out.printf(
                  Locale.ROOT,
                  "[e2e-tls] batch job %s submitted at +%.1f s (load start), started after"
                      + " %.1f s%n",
                  id,
                  Duration.between(loadStart, submitted).toMillis() / 1000.0,
                  delay);
            }
          });
      double maxDelay = delays.stream().mapToDouble(d -> d).max().orElse(0);
      UpDashboard.Frame f = lastFrame.get();
      int grace = LocalClusterSpec.DEFAULT_GRACE_SECONDS;
      // the cluster's own scheduling bound (sched_interval, bf_interval, MessageTimeout): a delay
      // from submission holds Slurm's scheduling latency on top of the hand-over
      SlurmTiming timing =
          SlurmTiming.parse(
              Commands.run(List.of("scontrol", "show", "config"), slurmEnv, Duration.ofSeconds(15))
                  .stdout());

      System.out.println(
          "[e2e-tls] ===== isolated nodes + TLS ("
              + network.subnet()
              + ", seed "
              + EndToEndIT.SEED
              + ", "
              + LOAD.toSeconds()
              + " s at "
              + RATE
              + "/s, 2 nodes, grace "
              + grace
              + " s) =====");
      System.out.println(
          "[e2e-tls] pilot processes checked: " + pilots + " (server netns " + serverNs + ")");
      faults.forEach(x -> System.out.println("[e2e-tls] fault: " + x));
      System.out.printf(
          Locale.ROOT,
          "[e2e-tls] invocations sent %d, accepted %d; exactly one record: %d; ids with"
              + " more than one record: %d%n",
          lines.size(),
          accepted.size(),
          withOneRecord,
          duplicates);
      System.out.printf(
          Locale.ROOT,
          "[e2e-tls] by status %s: success %.3f %% (goal >= 99.9 %%: %s)%n",
          byStatus,
          successPercent,
          successPercent >= 99.9 ? "met" : "NOT met");
      reasons.forEach(
          (id, why) -> System.out.println("[e2e-tls] not successful: " + id + ": " + why));
      if (f != null) {
        System.out.printf(
            Locale.ROOT,
            "[e2e-tls] idle node-time covered by pilots: %.2f %%%n",
            100 * f.coveredShare());
      }
      System.out.printf(
          Locale.ROOT,
          "[e2e-tls] batch jobs %d submitted, %d startable at once; start delay max %.1f s,"
              + " all %s (goal: <= grace %d s + one scheduler pass)%n",
          batchSubmit.size(),
          delays.size(),
          maxDelay,
          delays.stream().sorted().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList(),
          grace);

      assertThat(accepted).as("accepted activations").hasSizeGreaterThan((int) LOAD.toSeconds());
      assertThat(duplicates).as("activation ids with more than one record").isZero();
      assertThat(withOneRecord)
          .as("accepted activations with exactly one terminal record")
          .isEqualTo(accepted.size());
      assertThat(faults).as("faults injected").hasSize(3).noneMatch(x -> x.contains("FAILED"));
      assertThat(reasons.values())
          .as("reasons of the activations that did not succeed")
          .noneMatch(String::isBlank);
      assertThat(successPercent)
          .as("success %% of retry-safe activations")
          .isGreaterThanOrEqualTo(99.0);
      assertThat(maxDelay)
          .as(
              "start delay (s) of batch jobs that could start at once, from their submission"
                  + " (grace %d s + Slurm's scheduling bound %s)",
              grace, timing.scheduling())
          .isLessThanOrEqualTo(grace + timing.scheduling().toSeconds());
    } finally {
      timer.shutdownNow();
      session.close();
    }
    assertThat(network.leftovers())
        .as("namespaces, links and routes left after stopping")
        .isEmpty();
  }

  /**
   * The pilot JVMs whose environment names {@code pilotUrl} (this test's server; other tests'
   * pilots differ).
   */
  static List<Long> pilotProcesses(String pilotUrl) throws Exception {
    List<Long> pids = new ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmd = Files.readString(p.resolve("cmdline"), StandardCharsets.ISO_8859_1);
          String env = Files.readString(p.resolve("environ"), StandardCharsets.ISO_8859_1);
          if (cmd.contains("java")
              && cmd.contains("\0pilot")
              && env.contains("HPC_WHISK_BALANCER_URL=" + pilotUrl + "\0")) {
            pids.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
    return pids;
  }

  /**
   * A Python action that lists its namespace's actions through the API at {@code __OW_API_HOST}
   * with its activation's key ({@code provide-api-key}), trusting the CA given as a parameter (the
   * sandbox hides {@code /tmp}, where the test's CA lives).
   */
  static final String CALLS_THE_API =
      String.join(
          "\n",
          "import base64, os, ssl, urllib.error, urllib.request",
          "def main(args):",
          "    host = os.environ.get('__OW_API_HOST', '')",
          "    key = os.environ.get('__OW_API_KEY', '')",
          "    ctx = ssl.create_default_context(cadata=args['ca'])",
          "    auth = base64.b64encode(key.encode()).decode()",
          "    req = urllib.request.Request(host + '/api/v1/namespaces/_/actions?limit=1',",
          "        headers={'Authorization': 'Basic ' + auth})",
          "    try:",
          "        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:",
          "            return {'host': host, 'status': r.status}",
          "    except urllib.error.HTTPError as e:",
          "        return {'host': host, 'status': e.code}",
          "    except Exception as e:",
          "        return {'host': host, 'status': 0, 'error': str(e)}",
          "");

  /** Whether squeue shows the step (e.g. {@code 7.0}): the pilot's process runs. */
  private static boolean stepRuns(Map<String, String> slurmEnv, String step) {
    return Commands.run(
            List.of("squeue", "-h", "-s", "-j", step.substring(0, step.indexOf('.')), "-o", "%i"),
            slurmEnv,
            Duration.ofSeconds(15))
        .stdout()
        .lines()
        .anyMatch(step::equals);
  }

  private static void put(HttpClient https, String base, String name, String kind, String code)
      throws Exception {
    String body = "{\"exec\":{\"kind\":\"" + kind + "\",\"code\":" + UpSession.json(code) + "}}";
    var r =
        call(
            https,
            "PUT",
            base + "/api/v1/namespaces/guest/actions/" + name + "?overwrite=true",
            body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static HttpResponse<String> call(HttpClient https, String method, String url, String body)
      throws Exception {
    return https.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(75))
            .header("Content-Type", "application/json")
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString(SystemFixture.GUEST.getBytes(StandardCharsets.UTF_8)))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static SSLContext trusting(Path ca) throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(PemFiles.trustStore("CA", ca));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}

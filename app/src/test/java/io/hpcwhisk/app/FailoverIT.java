package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.localcluster.LocalClusterSpec;
import io.hpcwhisk.localcluster.postgres.PrivatePostgres;
import io.hpcwhisk.slurm.cli.ProcessCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmJson;
import io.hpcwhisk.testkit.Required;
import io.hpcwhisk.testkit.SlurmTiming;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 item 4, the failover test: {@code bin/hpc-whisk up --ha 3 --no-workload} as an
 * administrator runs it (a private PostgreSQL, three real {@code hpc-whisk server} processes on
 * 127.0.0.2..4, HAProxy in front, a 2-node local Slurm cluster with real pilots), the official
 * {@code openwhisk} npm client sending 20 invocations/s through HAProxy ({@code
 * e2e/failover-load.js}: Node.js and Python actions, blocking and non-blocking), and kill -9 of one
 * server every 60 s for 5 minutes — the controller leader first, then a non-leader, then the leader
 * again, alternating — each restarted by {@code up} itself. A few batch jobs preempt pilots
 * meanwhile.
 *
 * <p>Measured, printed and asserted: every activation the client saw accepted has exactly one
 * terminal record and none stays pending (read in PostgreSQL); retry-safe success of at least 99.9
 * % of the accepted invocations, as EndToEndIT counts it (blocking calls resent by the client on
 * 502, 503 or a connection error, at most 3 times; nothing else resent), and every call not
 * accepted sent within 2 s before to 10 s after a kill; every pilot of a killed server registered
 * with a surviving server within 5 s of the kill (per pilot, from the servers' {@code
 * whisk_pilot_reserved_mb} series) unless its job ended; a new controller leader within 10 s of the
 * leader's kill; never two pilot jobs running on one node at once, and no more pilot jobs 8-15 s
 * after the leader's kill than before it (nothing submitted twice); batch jobs that could start at
 * once started within the grace time plus Slurm's scheduling interval of their submission. The
 * test's total time is printed (the next kill waits until up has restarted the last one).
 *
 * <p>It keeps every assertion of {@code UpHaIT} (which it replaces): server lines, front, API
 * through HAProxy, one leader, a run directory and database closed to a local attacker, no password
 * in up's output, pilots adopted, list and create after failovers, SIGTERM stopping everything.
 */
@Tag("slurm")
class FailoverIT {

  static final int SERVERS = 3;
  static final int NODES = 2;
  static final int RATE = 20;
  static final Duration FIRST_KILL = Duration.ofSeconds(10);
  static final Duration CADENCE = Duration.ofSeconds(60);
  static final int KILLS = 5;
  static final Duration LOAD = Duration.ofSeconds(280);
  static final List<Duration> BATCH_AT =
      List.of(Duration.ofSeconds(40), Duration.ofSeconds(110), Duration.ofSeconds(190));

  static final double SUCCESS_GOAL_PERCENT = 99.9; // the goals
  static final Duration REREGISTER_GOAL = Duration.ofSeconds(5);
  static final Duration LEADER_GOAL = Duration.ofSeconds(10);

  @TempDir Path dir;

  /** What one kill did and what followed. */
  record Kill(
      int n,
      int server,
      boolean wasLeader,
      long pid,
      Instant at,
      Set<String> pilots,
      Duration newLeader,
      int newLeaderServer,
      Map<String, Duration> reregistered,
      Set<String> pilotsEnded,
      Duration restarted,
      String error) {}

  @Test
  void threeServersUnderLoadSurviveAKillMinus9EveryMinute() throws Exception {
    boolean slurm =
        Files.isExecutable(Path.of("/usr/sbin/slurmctld")) || SystemFixture.onPath("slurmctld");
    Required.on(slurm, "Slurm (slurm-wlm) is not installed; run bin/install-deps");
    Required.on(
        PrivatePostgres.available(), "PostgreSQL 15 is not installed; run bin/install-deps");
    Required.on(
        Files.isExecutable(Path.of("/usr/sbin/haproxy")),
        "HAProxy (Debian package haproxy) is not installed; run bin/install-deps");
    Path e2e = SystemFixture.HOME.resolve("e2e");
    Required.on(
        SystemFixture.onPath("node") && Files.isDirectory(e2e.resolve("node_modules/openwhisk")),
        "node or e2e/node_modules/openwhisk is missing; run bin/install-deps");
    // the run directory's own mode must keep others out, not the test's temporary directory
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Instant testStart = Instant.now();

    int port = SystemFixture.freePort();
    UpProcess up =
        UpProcess.start(
            List.of(
                "--ha",
                Integer.toString(SERVERS),
                "--no-workload",
                "--dir",
                dir.toString(),
                "--port",
                Integer.toString(port),
                "--nodes",
                Integer.toString(NODES),
                "--for",
                "20m"));
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(3);
    try {
      up.awaitLine("front: ", Duration.ofMinutes(6));
      Duration startup = Duration.between(testStart, Instant.now());
      Map<Integer, UpProcess.Server> first = up.servers();
      Map<Integer, String> urls = new TreeMap<>();
      first.forEach((k, s) -> urls.put(k, s.url()));
      for (int k = 1; k <= SERVERS; k++) {
        assertThat(urls).containsEntry(k, "http://" + HaSession.address(k) + ":" + port);
      }
      assertThat(urls).hasSize(SERVERS);
      String front = "http://127.0.0.1:" + port;
      assertThat(up.lines()).anyMatch(l -> l.startsWith("front: " + front + " (HAProxy, pid "));
      for (UpProcess.Server s : first.values()) {
        assertThat(ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive)).contains(true);
      }

      // the API through HAProxy: the demo actions up created are listed
      HttpResponse<String> list =
          SystemFixture.call("GET", front + "/api/v1/namespaces/guest/actions", null);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.body()).contains("hello");

      // exactly one leader, and it stays so for 3 s
      await().atMost(Duration.ofSeconds(60)).until(() -> HaProbe.leaders(urls).size() == 1);
      int firstLeader = HaProbe.leaders(urls).get(0);
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(() -> HaProbe.leaders(urls).equals(List.of(firstLeader)));

      // hostile: a local unprivileged user reads nothing of the run directory, and cannot log in
      // to the database (no password) to take the controller's lock
      Matcher db = up.database();
      Path passwordFile = UpProcess.runFile(dir, "db-password");
      String password = Files.readString(passwordFile).strip();
      HaProbe.attackRunDirectoryAndDatabase(dir, db, password);
      assertThat(HaProbe.leaders(urls)).containsExactly(firstLeader);

      // the actions of the load; pilots come up and run both
      for (String action : List.of("e2e-node", "e2e-py")) {
        SystemFixture.putAction(
            front,
            action,
            action.equals("e2e-node") ? "nodejs:default" : "python:default",
            action.equals("e2e-node") ? NODE_ACTION : EndToEndIT.PYTHON_ACTION);
      }
      LocalCluster cluster = new LocalCluster(dir.resolve("cluster"));
      SlurmCli cli =
          new SlurmCli(
              cluster.clientBinDir(),
              Duration.ofSeconds(15),
              new ProcessCommandRunner(cluster.clientEnv()),
              (c, took, ok) -> {});
      await().atMost(Duration.ofMinutes(2)).until(() -> !HaProbe.pilotJobs(cli).isEmpty());
      for (String action : List.of("e2e-node", "e2e-py")) {
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () ->
                    SystemFixture.call(
                                "POST",
                                front
                                    + "/api/v1/namespaces/guest/actions/"
                                    + action
                                    + "?blocking=true&result=true",
                                "{\"n\":-1}")
                            .statusCode()
                        == 200);
      }
      // the cluster's nodes all hold a pilot before the scenario starts
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> HaProbe.registered(urls).size() >= NODES);
      Duration ready = Duration.between(testStart, Instant.now());

      // sampling: Slurm every second (pilot jobs per node, batch starts)
      Map<String, Instant> batchSubmit = new ConcurrentHashMap<>();
      Map<String, Instant> batchStart = new ConcurrentHashMap<>();
      Map<String, Boolean> startable = new ConcurrentHashMap<>();
      List<String> doubleWindows = new CopyOnWriteArrayList<>();
      Set<String> pilotJobsSeen = ConcurrentHashMap.newKeySet();
      Map<Instant, Integer> pilotJobCount = new ConcurrentHashMap<>();
      timer.scheduleAtFixedRate(
          () -> {
            try {
              Map<String, List<String>> byNode = new TreeMap<>();
              int pilots = 0;
              for (Job job : SlurmJson.jobs(cli.squeueJson())) {
                String id = job.id().toString();
                if (job.name().startsWith("hpcw-pilot")) {
                  pilotJobsSeen.add(id);
                  if (job.state() == JobState.PENDING || job.state() == JobState.RUNNING) {
                    pilots++;
                  }
                  if (job.state() == JobState.RUNNING) {
                    for (String node : job.nodes()) {
                      byNode.computeIfAbsent(node, x -> new ArrayList<>()).add(id);
                    }
                  }
                } else if (job.state() != JobState.PENDING) {
                  job.startTime().ifPresent(t -> batchStart.putIfAbsent(id, t));
                }
              }
              pilotJobCount.put(Instant.now(), pilots);
              byNode.forEach(
                  (node, jobs) -> {
                    if (jobs.size() > 1) {
                      doubleWindows.add(Instant.now() + " node " + node + ": pilots " + jobs);
                    }
                  });
            } catch (RuntimeException e) {
              System.out.println("[failover] squeue sample failed: " + e.getMessage());
            }
          },
          0,
          1,
          TimeUnit.SECONDS);

      // the load, through HAProxy
      Path results = dir.resolve("load.jsonl");
      ProcessBuilder loadCommand =
          new ProcessBuilder(
                  "node",
                  e2e.resolve("failover-load.js").toString(),
                  Long.toString(LOAD.toSeconds()),
                  Integer.toString(RATE),
                  results.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("load.log").toFile());
      loadCommand.environment().put("OW_APIHOST", front);
      loadCommand.environment().put("OW_AUTH", SystemFixture.GUEST);
      Process load = loadCommand.start();
      load.getOutputStream().close();
      Instant loadStart = Instant.now();

      // batch jobs preempting pilots meanwhile
      for (Duration at : BATCH_AT) {
        timer.schedule(
            () ->
                EndToEndIT.submit(
                    cli, NODES, new EndToEndIT.Batch(at, 1, 15), batchSubmit, startable),
            at.toMillis(),
            TimeUnit.MILLISECONDS);
      }

      // the scenario: kill -9 of one server every 60 s, the leader first; up restarts it
      List<Kill> kills = new CopyOnWriteArrayList<>();
      AtomicReference<List<String>> pilotJobsBeforeFirstKill = new AtomicReference<>();
      ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
      for (int n = 0; n < KILLS; n++) {
        int k = n;
        killer.schedule(
            () -> kills.add(kill(k, up, urls, cli, pilotJobsBeforeFirstKill, kills)),
            FIRST_KILL.plus(CADENCE.multipliedBy(n)).toMillis(),
            TimeUnit.MILLISECONDS);
      }

      boolean ended = load.waitFor(LOAD.toSeconds() + 180, TimeUnit.SECONDS);
      if (!ended) {
        load.destroyForcibly();
      }
      System.out.println("[failover] " + Files.readString(dir.resolve("load.log")).strip());
      assertThat(ended).as("failover-load.js finished").isTrue();
      killer.shutdown();
      assertThat(killer.awaitTermination(3, TimeUnit.MINUTES)).as("the kills ended").isTrue();
      Duration scenario = Duration.between(loadStart, Instant.now());

      // the new leader adopted the old one's pilots: within 10 s of the first kill (several
      // passes of its controller, every 2 s) no more pilot jobs than before it
      Instant firstKill = kills.isEmpty() ? Instant.now() : kills.get(0).at();
      int maxAfterFirstKill =
          pilotJobCount.entrySet().stream()
              .filter(
                  e ->
                      e.getKey().isAfter(firstKill.plusSeconds(8))
                          && e.getKey().isBefore(firstKill.plusSeconds(15)))
              .mapToInt(Map.Entry::getValue)
              .max()
              .orElse(-1);

      // every activation: exactly one terminal record, none pending (read in PostgreSQL)
      ObjectMapper json = new ObjectMapper();
      List<JsonNode> lines = new ArrayList<>();
      for (String line : Files.readAllLines(results)) {
        lines.add(json.readTree(line));
      }
      String jdbc = "jdbc:postgresql://127.0.0.1:" + db.group(1) + "/" + db.group(2);
      AtomicReference<String> left = new AtomicReference<>("");
      try {
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> {
                  left.set(HaProbe.leftRows(jdbc, db.group(3), password));
                  return left.get().isEmpty();
                });
      } catch (ConditionTimeoutException e) {
        System.out.println(
            "[failover] rows left 3 minutes after the load (server logs: "
                + Path.of("target", "failover-logs").toAbsolutePath()
                + "):"
                + left.get());
      }
      assertThat(left.get()).as("rows left 3 minutes after the load").isEmpty();
      Map<String, String> recordStatus = new HashMap<>();
      Map<String, Long> reasons = new TreeMap<>();
      try (Connection c = DriverManager.getConnection(jdbc, db.group(3), password);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT activation_id, body FROM activation_records")) {
        while (rs.next()) {
          JsonNode body = json.readTree(rs.getString(2));
          String status = body.path("response").path("status").asText("");
          if (!status.isEmpty() && !status.equals("success")) {
            String error = body.path("response").path("result").path("error").asText("");
            reasons.merge(
                status + ": " + error.substring(0, Math.min(100, error.length())), 1L, Long::sum);
          }
          recordStatus.put(rs.getString(1), status.isEmpty() ? "?" : status);
        }
      }
      Set<String> acceptedIds = new HashSet<>();
      for (JsonNode l : lines) {
        for (JsonNode a : l.path("attempts")) {
          if (a.hasNonNull("id")) {
            acceptedIds.add(a.path("id").asText());
          }
        }
      }
      List<String> withoutRecord =
          acceptedIds.stream().filter(id -> !recordStatus.containsKey(id)).sorted().toList();
      // the primary key of activation_records refuses a second record; the servers log each refusal
      // in every instance's log: the current one's server-K.log, the killed ones'
      // server-K.pid-P.log
      long secondRecordsRefused = HaProbe.linesInServerLogs(dir, "a second one was not written");

      // retry-safe success: the final outcome of each invocation
      long success = 0;
      long acceptedCalls = 0;
      long blocking = 0;
      List<String> notAcceptedAwayFromKills = new ArrayList<>();
      long retried = 0;
      long retriedSucceeded = 0;
      Map<String, Long> failures = new TreeMap<>();
      List<String> failed = new ArrayList<>();
      for (JsonNode l : lines) {
        boolean b = l.path("blocking").asBoolean();
        blocking += b ? 1 : 0;
        String id = l.hasNonNull("id") ? l.path("id").asText() : null;
        String status = id == null ? null : recordStatus.get(id);
        boolean ok = "success".equals(status);
        if (id != null) {
          acceptedCalls++;
        } else {
          // a call refused or cut off must fall in a blip: from 2 s before a kill to 10 s after
          Instant sent = Instant.ofEpochMilli(l.path("sentMs").asLong());
          if (kills.stream()
              .noneMatch(
                  k ->
                      sent.isAfter(k.at().minusSeconds(2))
                          && sent.isBefore(k.at().plusSeconds(10)))) {
            notAcceptedAwayFromKills.add(l.toString());
          }
        }
        if (l.path("attempts").size() > 1) {
          retried++;
          retriedSucceeded += ok ? 1 : 0;
        }
        if (ok) {
          success++;
        } else {
          String why =
              (b ? "blocking" : "non-blocking")
                  + ": "
                  + (id == null ? "not accepted (HTTP " + l.path("code").asText() + ")" : status);
          failures.merge(why, 1L, Long::sum);
          if (failed.size() < 20) {
            failed.add(l.toString());
          }
        }
      }
      // as EndToEndIT counts it: of the accepted invocations (blocking ones after the client's
      // allowed retries); the calls never accepted are counted apart, and must fall in a blip
      double successPercent = 100.0 * success / Math.max(1, acceptedCalls);
      double successOfSentPercent = 100.0 * success / Math.max(1, lines.size());

      // batch jobs that could have started at once: their wait is what harvesting cost them
      int grace = LocalClusterSpec.DEFAULT_GRACE_SECONDS;
      var showConfig = cluster.run(List.of("scontrol", "show", "config"));
      Duration scheduling = SlurmTiming.parse(showConfig.stdout()).scheduling();
      List<Double> delays = new ArrayList<>();
      Instant now = Instant.now();
      startable.forEach(
          (id, yes) -> {
            Instant submitted = batchSubmit.get(id);
            if (yes && submitted != null) {
              Instant started = batchStart.getOrDefault(id, now);
              delays.add(Math.max(0, Duration.between(submitted, started).toMillis() / 1000.0));
            }
          });
      double maxDelay = delays.stream().mapToDouble(d -> d).max().orElse(0);

      // the API still answers through HAProxy after the failovers: list and create
      for (int i = 0; i < 5; i++) {
        assertThat(
                SystemFixture.call("GET", front + "/api/v1/namespaces/guest/actions", null)
                    .statusCode())
            .isEqualTo(200);
        SystemFixture.putAction(
            front, "after-failover-" + i, "nodejs:default", UpSession.NODE_HELLO);
      }
      assertThat(
              SystemFixture.call("GET", front + "/api/v1/namespaces/guest/actions?limit=0", null)
                  .body())
          .contains("after-failover-4");

      // the figures
      Duration total = Duration.between(testStart, Instant.now());
      String loadavg = Files.readString(Path.of("/proc/loadavg")).strip();
      System.out.printf(
          Locale.ROOT,
          "[failover] ===== HPC-Whisk failover figures: %d servers, %d nodes, %d invocations/s"
              + " for %d s, kill -9 every %d s (load %s) =====%n",
          SERVERS,
          NODES,
          RATE,
          LOAD.toSeconds(),
          CADENCE.toSeconds(),
          loadavg);
      System.out.printf(
          Locale.ROOT,
          "[failover] up --ha %d ready (front) after %.0f s, pilots on every node after %.0f s;"
              + " scenario %.0f s; test %.0f s before stopping up%n",
          SERVERS,
          startup.toMillis() / 1000.0,
          ready.toMillis() / 1000.0,
          scenario.toMillis() / 1000.0,
          total.toMillis() / 1000.0);
      for (Kill k : kills) {
        Duration worst =
            k.reregistered().values().stream().max(Comparator.naturalOrder()).orElse(Duration.ZERO);
        System.out.printf(
            Locale.ROOT,
            "[failover] kill %d: server %d (pid %d, %s) at +%.1f s; %s; its %d pilots %s"
                + " re-registered with a survivor, slowest %.2f s (ended meanwhile: %s);"
                + " restarted by up after %s%s%n",
            k.n() + 1,
            k.server(),
            k.pid(),
            k.wasLeader() ? "leader" : "not leader",
            Duration.between(loadStart, k.at()).toMillis() / 1000.0,
            k.wasLeader()
                ? (k.newLeader() == null
                    ? "NO new leader"
                    : String.format(
                        Locale.ROOT,
                        "server %d leads after %.2f s",
                        k.newLeaderServer(),
                        k.newLeader().toMillis() / 1000.0))
                : "leader unchanged",
            k.pilots().size(),
            k.reregistered().keySet(),
            worst.toMillis() / 1000.0,
            k.pilotsEnded(),
            k.restarted() == null
                ? "NOT restarted"
                : String.format(Locale.ROOT, "%.1f s", k.restarted().toMillis() / 1000.0),
            k.error() == null ? "" : "; ERROR " + k.error());
      }
      System.out.printf(
          Locale.ROOT,
          "[failover] invocations %d (blocking %d), retried by the client %d (of which succeeded"
              + " %d); activation ids the client saw %d, records in the database %d%n",
          lines.size(),
          blocking,
          retried,
          retriedSucceeded,
          acceptedIds.size(),
          recordStatus.size());
      System.out.printf(
          Locale.ROOT,
          "[failover] accepted activations without a terminal record: %d %s; pending left: 0;"
              + " second records refused by the key: %d; not queued for other servers: %d%n",
          withoutRecord.size(),
          withoutRecord.stream().limit(10).toList(),
          secondRecordsRefused,
          HaProbe.linesInServerLogs(dir, "cannot queue it for other servers"));
      System.out.printf(
          Locale.ROOT,
          "[failover] retry-safe success %.3f %% of the accepted invocations (%d of %d; goal >="
              + " %.1f %%: %s); of all sent %.3f %% (%d of %d); not accepted %d, of them sent more"
              + " than 10 s after or 2 s before a kill: %d; not successful %s%n",
          successPercent,
          success,
          acceptedCalls,
          SUCCESS_GOAL_PERCENT,
          successPercent >= SUCCESS_GOAL_PERCENT ? "met" : "NOT met",
          successOfSentPercent,
          success,
          lines.size(),
          lines.size() - acceptedCalls,
          notAcceptedAwayFromKills.size(),
          failures);
      failed.forEach(f -> System.out.println("[failover] not successful: " + f));
      reasons.forEach(
          (r, n) -> System.out.println("[failover] records not successful: " + n + " x " + r));
      int mostBefore =
          pilotJobCount.entrySet().stream()
              .filter(e -> e.getKey().isBefore(firstKill))
              .mapToInt(Map.Entry::getValue)
              .max()
              .orElse(-1);
      int mostAfter =
          pilotJobCount.entrySet().stream()
              .filter(e -> !e.getKey().isBefore(firstKill))
              .mapToInt(Map.Entry::getValue)
              .max()
              .orElse(-1);
      System.out.printf(
          Locale.ROOT,
          "[failover] pilot jobs seen %d; two running on one node at once: %d %s; pilot jobs"
              + " (pending and running) before the first kill %s, most 8-15 s after it %d; most"
              + " at once before the first kill %d, after it %d%n",
          pilotJobsSeen.size(),
          doubleWindows.size(),
          doubleWindows.stream().limit(5).toList(),
          pilotJobsBeforeFirstKill.get(),
          maxAfterFirstKill,
          mostBefore,
          mostAfter);
      System.out.printf(
          Locale.ROOT,
          "[failover] batch jobs %d submitted, %d startable at once; start delay max %.1f s, all"
              + " %s (goal: <= grace %d s + scheduling %d s)%n",
          batchSubmit.size(),
          delays.size(),
          maxDelay,
          delays.stream().sorted().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList(),
          grace,
          scheduling.toSeconds());

      // the goals
      assertThat(kills).as("kills done").hasSize(KILLS);
      assertThat(kills.stream().filter(k -> k.error() != null).map(Kill::error).toList())
          .as("kill errors")
          .isEmpty();
      assertThat(kills.get(0).wasLeader()).as("the first kill is the leader's").isTrue();
      for (Kill k : kills) {
        assertThat(k.restarted())
            .as("server %d restarted after kill %d", k.server(), k.n())
            .isNotNull();
        if (k.wasLeader()) {
          assertThat(k.newLeader()).as("a new leader after kill %d", k.n() + 1).isNotNull();
          assertThat(k.newLeader())
              .as("new leader after kill %d", k.n() + 1)
              .isLessThanOrEqualTo(LEADER_GOAL);
          assertThat(k.newLeaderServer()).isNotEqualTo(k.server());
        }
        assertThat(k.reregistered().keySet())
            .as("pilots of kill %d re-registered or ended", k.n() + 1)
            .containsAll(k.pilots().stream().filter(p -> !k.pilotsEnded().contains(p)).toList());
        assertThat(k.reregistered().values())
            .as("re-registration of the pilots after kill %d", k.n() + 1)
            .allMatch(d -> d.compareTo(REREGISTER_GOAL) <= 0);
      }
      assertThat(kills.stream().filter(k -> !k.pilots().isEmpty()).count())
          .as("kills that cost a server its pilots")
          .isPositive();
      assertThat(lines.size())
          .as("invocations sent")
          .isGreaterThan((int) (LOAD.toSeconds() * RATE * 8 / 10));
      assertThat(withoutRecord).as("accepted activations without a terminal record").isEmpty();
      assertThat(successPercent)
          .as("retry-safe success %%: %s", failures)
          .isGreaterThanOrEqualTo(SUCCESS_GOAL_PERCENT);
      assertThat(notAcceptedAwayFromKills)
          .as("invocations not accepted outside the blip of a kill")
          .isEmpty();
      assertThat(doubleWindows).as("two pilot jobs running on one node at once").isEmpty();
      assertThat(maxAfterFirstKill)
          .as("pilot jobs after the leader's kill (before: %s)", pilotJobsBeforeFirstKill.get())
          .isLessThanOrEqualTo(pilotJobsBeforeFirstKill.get().size());
      assertThat(delays).as("batch jobs that could start at once").isNotEmpty();
      assertThat(maxDelay)
          .as("start delay (s) of batch jobs that could start at once, from their submission")
          .isLessThanOrEqualTo(grace + scheduling.toSeconds());
      for (String l : up.lines()) {
        assertThat(l).doesNotContain(password);
      }
    } finally {
      timer.shutdownNow();
      up.stop();
      HaProbe.keepLogs(dir, Path.of("target", "failover-logs"));
    }
  }

  /** The Node.js action: 300 ms of work, so that blocking calls are in flight at a kill. */
  static final String NODE_ACTION =
      "async function main(params) {\n"
          + "  await new Promise(resolve => setTimeout(resolve, 300))\n"
          + "  return { n: params.n, kind: 'nodejs' }\n}\n";

  /**
   * Kill number {@code n}: the leader on even n, otherwise the non-leader holding the most pilots
   * (of equals, the one killed least recently); measures the new leader, the pilots'
   * re-registration and up's restart.
   */
  private static Kill kill(
      int n,
      UpProcess up,
      Map<Integer, String> urls,
      SlurmCli cli,
      AtomicReference<List<String>> pilotJobsBeforeFirstKill,
      List<Kill> previous) {
    Map<Integer, Integer> lastKilled = new HashMap<>();
    previous.forEach(k -> lastKilled.put(k.server(), k.n()));
    int target = -1;
    long pid = -1;
    boolean wasLeader = false;
    Instant at = Instant.now();
    Set<String> pilots = Set.of();
    try {
      Map<Integer, HaProbe.Look> looks = new TreeMap<>();
      urls.forEach((k, url) -> looks.put(k, HaProbe.look(url)));
      List<Integer> leaders =
          looks.entrySet().stream()
              .filter(e -> e.getValue().leader())
              .map(Map.Entry::getKey)
              .toList();
      if (n % 2 == 0) {
        if (leaders.size() != 1) {
          return failed(n, "not exactly one leader before kill " + (n + 1) + ": " + leaders);
        }
        target = leaders.get(0);
      } else {
        target =
            looks.entrySet().stream()
                .filter(
                    e ->
                        e.getValue().up()
                            && !e.getValue().leader()
                            && ProcessHandle.of(up.servers().get(e.getKey()).pid())
                                .map(ProcessHandle::isAlive)
                                .orElse(false))
                .max(
                    Comparator.comparingInt(
                            (Map.Entry<Integer, HaProbe.Look> e) -> e.getValue().pilots().size())
                        .thenComparing(e -> -lastKilled.getOrDefault(e.getKey(), -1)))
                .map(Map.Entry::getKey)
                .orElse(-1);
        if (target < 0) {
          return failed(n, "no live non-leader before kill " + (n + 1) + ": " + looks);
        }
      }
      wasLeader = leaders.contains(target);
      pilots = looks.get(target).pilots();
      if (n == 0) {
        pilotJobsBeforeFirstKill.set(HaProbe.pilotJobs(cli));
      }
      pid = up.servers().get(target).pid();
      ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
      at = Instant.now();
      handle.destroyForcibly(); // SIGKILL
      int killed = target;
      Map<Integer, String> survivors = new TreeMap<>(urls);
      survivors.remove(target);
      Duration newLeader = null;
      int newLeaderServer = -1;
      Map<String, Duration> reregistered = new TreeMap<>();
      Set<String> waiting = new HashSet<>(pilots);
      Set<String> ended = new HashSet<>();
      Instant killedAt = at;
      AtomicReference<Integer> leaderNow = new AtomicReference<>();
      // poll the survivors every 100 ms until a survivor leads (if the leader died) and every
      // pilot of the killed server is registered with a survivor or its job has ended
      boolean needLeader = wasLeader;
      AtomicReference<Instant> leaderAt = new AtomicReference<>();
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  Instant t = Instant.now();
                  Set<String> seen = new HashSet<>();
                  for (Map.Entry<Integer, String> e : survivors.entrySet()) {
                    HaProbe.Look l = HaProbe.look(e.getValue());
                    seen.addAll(l.pilots());
                    if (needLeader && leaderAt.get() == null && l.leader()) {
                      leaderAt.set(t);
                      leaderNow.set(e.getKey());
                    }
                  }
                  for (String p : List.copyOf(waiting)) {
                    if (seen.contains(p)) {
                      reregistered.put(p, Duration.between(killedAt, t));
                      waiting.remove(p);
                    }
                  }
                  if (!waiting.isEmpty() && Duration.between(killedAt, t).toSeconds() >= 5) {
                    Set<String> alive = new HashSet<>();
                    for (String job : HaProbe.pilotJobs(cli)) {
                      alive.add("slurm-" + job.split(" ")[0]);
                    }
                    for (String p : List.copyOf(waiting)) {
                      if (!alive.contains(p)) {
                        ended.add(p);
                        waiting.remove(p);
                      }
                    }
                  }
                  return waiting.isEmpty() && (!needLeader || leaderAt.get() != null);
                });
      } catch (ConditionTimeoutException e) { // the figures say what is missing
      }
      if (leaderAt.get() != null) {
        newLeader = Duration.between(killedAt, leaderAt.get());
        newLeaderServer = leaderNow.get();
      }
      // up restarts the server: a new "server K" line with another pid, answering
      long oldPid = pid;
      Duration restarted = null;
      try {
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> up.servers().get(killed).pid() != oldPid);
        restarted = Duration.between(killedAt, Instant.now());
      } catch (ConditionTimeoutException e) { // reported as NOT restarted
      }
      return new Kill(
          n,
          target,
          wasLeader,
          pid,
          at,
          pilots,
          newLeader,
          newLeaderServer,
          reregistered,
          ended,
          restarted,
          null);
    } catch (RuntimeException e) {
      return new Kill(
          n, target, wasLeader, pid, at, pilots, null, -1, Map.of(), Set.of(), null, e.toString());
    }
  }

  private static Kill failed(int n, String why) {
    return new Kill(
        n, -1, false, -1, Instant.now(), Set.of(), null, -1, Map.of(), Set.of(), null, why);
  }
}

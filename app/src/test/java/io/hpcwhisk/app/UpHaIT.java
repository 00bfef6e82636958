package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.localcluster.postgres.PrivatePostgres;
import io.hpcwhisk.testkit.Required;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/hpc-whisk up --ha 2 --no-workload} as an administrator runs it: a private PostgreSQL,
 * two real {@code hpc-whisk server} processes on 127.0.0.2 and 127.0.0.3 and HAProxy in front. The
 * API answers through HAProxy; exactly one server leads the harvest controller (its gauge {@code
 * hpcwhisk_controller_leader} is 1, the other's 0); a local unprivileged user reads none of the run
 * directory's secrets and cannot log in to the database to take the leader lock; after kill -9 of
 * the leader the other server leads within 10 s (measured and printed) and the API keeps answering
 * through HAProxy (list and create actions). SIGTERM then stops everything up started.
 */
@Tag("slurm")
class UpHaIT {

  private static final Pattern SERVER = Pattern.compile("^server (\\d+): pid (\\d+) url (\\S+)$");
  private static final Pattern DATABASE =
      Pattern.compile("^database: jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/(\\w+) user (\\w+) .*");

  @TempDir Path dir;

  @Test
  void twoServersBehindHaproxyOneLeaderFailsOverAfterKillMinus9() throws Exception {
    boolean slurm =
        Files.isExecutable(Path.of("/usr/sbin/slurmctld")) || SystemFixture.onPath("slurmctld");
    Required.on(slurm, "Slurm (slurm-wlm) is not installed; run bin/install-deps");
    Required.on(
        PrivatePostgres.available(), "PostgreSQL 15 is not installed; run bin/install-deps");
    Required.on(
        Files.isExecutable(Path.of("/usr/sbin/haproxy")),
        "HAProxy (Debian package haproxy) is not installed; run bin/install-deps");
    // the run directory's own mode must keep others out, not the test's temporary directory
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

    int port = SystemFixture.freePort();
    ProcessBuilder pb =
        new ProcessBuilder(
                SystemFixture.HOME.resolve("bin/hpc-whisk").toString(),
                "up",
                "--ha",
                "2",
                "--no-workload",
                "--dir",
                dir.toString(),
                "--port",
                Integer.toString(port),
                "--nodes",
                "1",
                "--for",
                "15m")
            .redirectErrorStream(true);
    pb.environment().put("HPC_WHISK_NO_BUILD", "1");
    Process up = pb.start();
    up.getOutputStream().close();
    List<String> out = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  out.add(line);
                  System.out.println("[up] " + line);
                }
              } catch (IOException e) {
                out.add("(read failed: " + e + ")");
              }
            },
            "up-output");
    reader.setDaemon(true);
    reader.start();
    try {
      await()
          .atMost(Duration.ofMinutes(6))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> !up.isAlive() || out.stream().anyMatch(l -> l.startsWith("front: ")));
      assertThat(up.isAlive()).as("up --ha still running; output: %s", out).isTrue();

      Map<Integer, long[]> pids = new TreeMap<>();
      Map<Integer, String> urls = new TreeMap<>();
      for (String l : out) {
        Matcher m = SERVER.matcher(l);
        if (m.matches()) {
          pids.put(Integer.parseInt(m.group(1)), new long[] {Long.parseLong(m.group(2))});
          urls.put(Integer.parseInt(m.group(1)), m.group(3));
        }
      }
      assertThat(urls)
          .containsEntry(1, "http://127.0.0.2:" + port)
          .containsEntry(2, "http://127.0.0.3:" + port)
          .hasSize(2);
      String front = "http://127.0.0.1:" + port;
      assertThat(out).anyMatch(l -> l.startsWith("front: " + front + " (HAProxy, pid "));
      for (long[] pid : pids.values()) {
        assertThat(ProcessHandle.of(pid[0]).map(ProcessHandle::isAlive)).contains(true);
      }

      // the API through HAProxy: the demo actions up created are listed
      HttpResponse<String> list =
          SystemFixture.call("GET", front + "/api/v1/namespaces/guest/actions", null);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.body()).contains("hello");

      // exactly one leader, and it stays so
      await().atMost(Duration.ofSeconds(60)).until(() -> leaders(urls).size() == 1);
      await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
      List<Integer> leaders = leaders(urls);
      assertThat(leaders).hasSize(1);
      int leader = leaders.get(0);
      int other = leader == 1 ? 2 : 1;

      // hostile: a local unprivileged user reads nothing of the run directory, and cannot log in
      // to the database (no password) to take the controller's lock
      Path run = dir.resolve("ha");
      Matcher db =
          out.stream()
              .map(DATABASE::matcher)
              .filter(Matcher::matches)
              .findFirst()
              .orElseThrow(() -> new AssertionError("no database line in " + out));
      String password = Files.readString(run.resolve("db-password")).strip();
      HaProbe.attackRunDirectoryAndDatabase(dir, db, password);
      assertThat(leaders(urls)).containsExactly(leader);
      for (String l : out) {
        assertThat(l).doesNotContain(password);
      }

      // the leader has submitted pilots into the idle node
      LocalCluster cluster = new LocalCluster(dir.resolve("cluster"));
      await().atMost(Duration.ofMinutes(2)).until(() -> !pilotJobs(cluster).isEmpty());
      await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() -> true);
      List<String> before = pilotJobs(cluster);

      // kill -9 of the leader: the other leads within 10 s
      long t0 = System.nanoTime();
      assertThat(ProcessHandle.of(pids.get(leader)[0]).orElseThrow().destroyForcibly()).isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> leaders(Map.of(other, urls.get(other))).equals(List.of(other)));
      double took = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "UpHaIT: kill -9 of leader server %d -> server %d leads after %.2f s (load %s)%n",
          leader, other, took, Files.readString(Path.of("/proc/loadavg")).strip());

      // the new leader adopts the old leader's pilots (squeue) instead of submitting them again:
      // after several of its passes (every 2 s) there are no more pilot jobs than before
      await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(15)).until(() -> true);
      List<String> after = pilotJobs(cluster);
      System.out.println("UpHaIT: pilot jobs before the kill " + before + ", after " + after);
      assertThat(after.size()).isLessThanOrEqualTo(before.size());

      // the API still answers through HAProxy: a blip at most
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  SystemFixture.call("GET", front + "/api/v1/namespaces/guest/actions", null)
                          .statusCode()
                      == 200);
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
    } finally {
      up.toHandle().destroy(); // SIGTERM to its pid (keeps our end of its output open)
      boolean ended = up.waitFor(120, TimeUnit.SECONDS);
      if (!ended) {
        up.destroyForcibly();
      }
      assertThat(ended).as("up --ha stopped on SIGTERM; output: %s", out).isTrue();
    }
    reader.join(10_000);
    assertThat(out).contains("hpc-whisk up: stopped.");
    for (String l : out) {
      Matcher m = SERVER.matcher(l);
      if (m.matches()) {
        long pid = Long.parseLong(m.group(2));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
      }
    }
  }

  /** The pilot jobs (pending or running) in the session's cluster: "ID STATE". */
  private static List<String> pilotJobs(LocalCluster cluster) {
    var r = cluster.run(List.of("squeue", "-h", "-t", "PENDING,RUNNING", "-o", "%i %j %T"));
    assertThat(r.exitCode()).as("squeue: %s", r.stderr()).isZero();
    return r.stdout()
        .lines()
        .map(String::strip)
        .filter(l -> l.split(" ").length == 3 && l.split(" ")[1].startsWith("hpcw-pilot"))
        .map(l -> l.split(" ")[0] + " " + l.split(" ")[2])
        .toList();
  }

  /** The servers whose {@code /metrics} says they lead now. */
  private static List<Integer> leaders(Map<Integer, String> urls) {
    return urls.entrySet().stream()
        .filter(
            e -> {
              try {
                return SystemFixture.get(e.getValue() + "/metrics")
                    .lines()
                    .anyMatch(l -> l.equals("hpcwhisk_controller_leader 1.0"));
              } catch (Exception ex) {
                return false;
              }
            })
        .map(Map.Entry::getKey)
        .toList();
  }
}

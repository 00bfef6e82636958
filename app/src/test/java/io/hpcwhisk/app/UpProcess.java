package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code bin/hpc-whisk up} process for the integration tests: starts it with {@code
 * HPC_WHISK_NO_BUILD=1}, reads its output line by line (echoed with a {@code [up]} prefix) and
 * parses what {@code up --ha} prints: the {@code server K: pid P url U} lines (a restarted server
 * prints a new one) and the {@code database:} line. {@link #stop()} sends SIGTERM to the process
 * itself and checks that it stopped what it started.
 */
final class UpProcess {

  static final Pattern SERVER = Pattern.compile("^server (\\d+): pid (\\d+) url (\\S+)$");
  static final Pattern DATABASE =
      Pattern.compile("^database: jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/(\\w+) user (\\w+) .*");

  /** What a {@code server K} line said. */
  record Server(int index, long pid, String url) {}

  private final Process process;
  private final List<String> out = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private UpProcess(Process process) {
    this.process = process;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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
  }

  /** Starts {@code bin/hpc-whisk up ARGS} in the project's home, its stdin closed. */
  static UpProcess start(List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(SystemFixture.HOME.resolve("bin/hpc-whisk").toString());
    command.add("up");
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("HPC_WHISK_NO_BUILD", "1");
    Process up = pb.start();
    up.getOutputStream().close();
    return new UpProcess(up);
  }

  /** Every line read so far. */
  List<String> lines() {
    return List.copyOf(out);
  }

  Process process() {
    return process;
  }

  /** Waits until a line starts with {@code prefix}, failing when up exits first. */
  void awaitLine(String prefix, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !process.isAlive() || out.stream().anyMatch(l -> l.startsWith(prefix)));
    assertThat(process.isAlive()).as("up still running; output: %s", out).isTrue();
  }

  /** The latest {@code server K} line of each server, by K. */
  Map<Integer, Server> servers() {
    Map<Integer, Server> servers = new TreeMap<>();
    for (String l : out) {
      Matcher m = SERVER.matcher(l);
      if (m.matches()) {
        int k = Integer.parseInt(m.group(1));
        servers.put(k, new Server(k, Long.parseLong(m.group(2)), m.group(3)));
      }
    }
    return servers;
  }

  /** The {@code database:} line (groups: port, database, user). */
  Matcher database() {
    return out.stream()
        .map(DATABASE::matcher)
        .filter(Matcher::matches)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no database line in " + out));
  }

  /**
   * SIGTERM to up's own pid; asserts it stopped within 2 min, said so, and that every server pid it
   * ever printed has ended.
   */
  void stop() throws InterruptedException {
    process.toHandle().destroy(); // SIGTERM to its pid (keeps our end of its output open)
    boolean ended = process.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly();
    }
    assertThat(ended).as("up stopped on SIGTERM; output: %s", out).isTrue();
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

  /** The run directory's file {@code name} under {@code dir/ha}. */
  static Path runFile(Path dir, String name) {
    return dir.resolve("ha").resolve(name);
  }
}

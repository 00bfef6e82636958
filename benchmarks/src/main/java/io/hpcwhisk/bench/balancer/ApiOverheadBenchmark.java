package io.hpcwhisk.bench.balancer;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.invoke.ActivationDispatcher;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import org.HdrHistogram.Histogram;

/**
 * What the API and its durable store cost per blocking invocation: throughput and latency of {@code
 * POST …/actions/noop?blocking=true} through the real server (authentication, lookup, durable
 * accept, dispatch, durable record, JSON) with a dispatcher that answers at once (no action runs),
 * next to a baseline of {@code GET /} on the same server. Clients are plain keep-alive sockets in
 * this JVM.
 *
 * <p>Usage: {@code java -cp app/target/hpc-whisk.jar
 * io.hpcwhisk.bench.balancer.ApiOverheadBenchmark [connections=32] [seconds=10] [invoke warm-up
 * seconds=3]}. Besides the totals it prints the server's CPU per invocation by thread group (JIT
 * compilers and GC included): with a short warm-up the JIT compilers are still a large share.
 * Figures depend on what else runs on the machine.
 */
public final class ApiOverheadBenchmark {

  private ApiOverheadBenchmark() {}

  /**
   * Completes every activation at once with {@code {}}: measures everything but running an action.
   */
  static final class InstantDispatcher implements ActivationDispatcher {
    @Override
    public CompletableFuture<RunOutcome> dispatch(RunRequest request) {
      long now = System.currentTimeMillis();
      return CompletableFuture.completedFuture(
          new RunOutcome(
              ActivationResponse.success(Json.MAPPER.createObjectNode()),
              List.of(),
              now,
              now,
              null));
    }

    @Override
    public String description() {
      return "benchmark dispatcher (answers at once, runs nothing)";
    }
  }

  /**
   * What one measurement did: requests, wall time, latency, and the CPU time the client threads
   * used (so the client's own share of the machine can be told apart from the server's).
   */
  /**
   * How the client connects: plain sockets, or TLS ones ({@code PilotBalancerBenchmark}'s TLS
   * mode).
   */
  static volatile SocketFactory SOCKETS = SocketFactory.getDefault();

  record Result(long requests, double seconds, Histogram latencyMicros, long clientCpuNanos) {
    double perSecond() {
      return requests / seconds;
    }

    String line(String what) {
      return String.format(
          "%-34s %8.0f req/s   p50 %6.2f ms   p99 %6.2f ms   (%d requests)",
          what,
          perSecond(),
          latencyMicros.getValueAtPercentile(50) / 1000.0,
          latencyMicros.getValueAtPercentile(99) / 1000.0,
          requests);
    }
  }

  public static void main(String[] args) throws Exception {
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int warmUpSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path data = Files.createTempDirectory("hpc-whisk-bench");
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withDrainSeconds(0)
                    .withRates(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(data.toString()));
    try (WhiskServer server =
        WhiskServer.start(config, (clock, host) -> new InstantDispatcher(), "bench")) {
      int port = server.address().getPort();
      String auth =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(Identity.GUEST.authKey().getBytes(StandardCharsets.UTF_8));
      String create = "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return {}}\"}}";
      request(port, "PUT", "/api/v1/namespaces/_/actions/noop", auth, create);
      String staticGet = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      String invoke =
          "POST /api/v1/namespaces/_/actions/noop?blocking=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Authorization: "
              + auth
              + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
      run(port, staticGet, connections, 2); // warm-up
      run(port, invoke, connections, warmUpSeconds);
      Map<String, Long> static0 = ThreadCpu.byGroup();
      Result baseline = run(port, staticGet, connections, seconds);
      Map<String, Long> staticThreads = ThreadCpu.since(static0);
      long cpu0 = processCpuNanos();
      Map<String, Long> threads0 = ThreadCpu.byGroup();
      Result blocking = run(port, invoke, connections, seconds);
      long cpu = processCpuNanos() - cpu0;
      Map<String, Long> threads = ThreadCpu.since(threads0);
      System.out.println(
          "connections "
              + connections
              + ", "
              + seconds
              + " s each, "
              + Runtime.getRuntime().availableProcessors()
              + " cores");
      System.out.println(baseline.line("baseline GET / (static)"));
      System.out.println(blocking.line("blocking invoke (durable, no-op)"));
      System.out.printf(
          "ratio blocking/baseline throughput: %.2f%n",
          blocking.perSecond() / baseline.perSecond());
      double n = Math.max(1, blocking.requests());
      System.out.printf(
          "CPU per blocking invoke: client %.0f us, server %.0f us%n",
          blocking.clientCpuNanos() / n / 1000, (cpu - blocking.clientCpuNanos()) / n / 1000);
      System.out.println(
          "CPU per static GET by thread group (us, /proc, 10 ms ticks): "
              + ThreadCpu.perRequest(staticThreads, Math.max(1, baseline.requests())));
      System.out.println(
          "CPU per blocking invoke by thread group (us, /proc, 10 ms ticks): "
              + ThreadCpu.perRequest(threads, n));
    } finally {
      deleteTree(data);
    }
  }

  /** Deletes a benchmark's temporary store (hundreds of MB after a long run). */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** CPU time this JVM has used so far. */
  static long processCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  static void request(int port, String method, String path, String auth, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
            + auth
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + bytes.length
            + "\r\nConnection: close\r\n\r\n";
    try (Socket s = SOCKETS.createSocket("127.0.0.1", port)) {
      s.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().write(bytes);
      s.getInputStream().readAllBytes();
    }
  }

  static Result run(int port, String request, int connections, int seconds) throws Exception {
    return run(new int[] {port}, request, connections, seconds);
  }

  /**
   * As {@link #run(int, String, int, int)}, the connections spread round-robin over several
   * servers' ports (connection {@code i} to {@code ports[i % ports.length]}).
   */
  static Result run(int[] ports, String request, int connections, int seconds) throws Exception {
    byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    List<Histogram> histograms = new ArrayList<>();
    long[] counts = new long[connections];
    long[] cpu = new long[connections];
    for (int i = 0; i < connections; i++) {
      Histogram h = new Histogram(60_000_000L, 3);
      histograms.add(h);
      int slot = i;
      Thread t =
          new Thread(
              () -> {
                try (Socket socket =
                    SOCKETS.createSocket("127.0.0.1", ports[slot % ports.length])) {
                  socket.setTcpNoDelay(true);
                  OutputStream out = socket.getOutputStream();
                  InputStream in = new BufferedInputStream(socket.getInputStream());
                  while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    out.write(bytes);
                    out.flush();
                    int status = readResponse(in);
                    if (status >= 300) {
                      throw new IllegalStateException("HTTP " + status);
                    }
                    h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                    counts[slot]++;
                  }
                  cpu[slot] = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      threads.add(t);
    }
    long t0 = System.nanoTime();
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    Histogram all = new Histogram(60_000_000L, 3);
    histograms.forEach(all::add);
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    long clientCpu = 0;
    for (long c : cpu) {
      clientCpu += c;
    }
    return new Result(total, elapsed, all, clientCpu);
  }

  /** Reads one HTTP/1.1 response with a Content-Length body; returns its status. */
  private static int readResponse(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int status = -1;
    long length = 0;
    boolean first = true;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c == '\n') {
        String l = line.toString().trim();
        line.setLength(0);
        if (l.isEmpty()) {
          break;
        }
        if (first) {
          status = Integer.parseInt(l.split(" ")[1]);
          first = false;
        } else if (l.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Long.parseLong(l.substring(15).trim());
        }
      } else {
        line.append((char) c);
      }
    }
    in.skipNBytes(length);
    return status;
  }
}

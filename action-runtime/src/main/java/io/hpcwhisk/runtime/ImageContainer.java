package io.hpcwhisk.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.runtime.container.ContainerEngine;
import io.hpcwhisk.runtime.container.ContainerRun;
import io.hpcwhisk.runtime.container.ContainerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container of a container action ({@code exec.image}), started by a {@link ContainerEngine} in
 * the foreground and spoken to over OpenWhisk's docker-action contract: {@code POST /init} once
 * ({@code {"value": {"name", "main", "code", "binary", "env"}}}), then {@code POST /run} per
 * activation ({@code {"value": params, "activation_id", "action_name", "namespace", "deadline",
 * "api_host", "api_key"}}), both on the container's port 8080, published on 127.0.0.1.
 *
 * <p>Algorithm: the engine's foreground process gives the container's stdout and stderr (read by
 * {@link StreamPump}s into the activation's bounded {@link ActivationLogs}). Start: post {@code
 * /init} until the container answers (connection refused while its server starts), within the
 * action's timeout. Run: post {@code /run} with the action's timeout as the request's; a timeout or
 * a dropped connection kills and removes the container (the engine's {@code rm --force --time=0},
 * so a container that ignores SIGTERM goes too). Logs: when the image writes OpenWhisk's end marker
 * after each activation they are awaited, else the streams are drained as for native executables.
 *
 * <p>Example: {@code start(spec, ...)} with image {@code hpcwhisk/echo:1} gives {@code Ready}; a
 * {@code run} gives the JSON object the container answered, with its log lines.
 *
 * <p>Known caveats: the host port is picked free just before the engine binds it (another process
 * could take it between: the start then fails as a whisk error); the engine's own error lines (e.g.
 * podman's) become the failed start's logs.
 */
final class ImageContainer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ImageContainer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final long NATIVE_DRAIN_MILLIS = 100;
  private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  private static final long STREAM_END_MILLIS = 5_000;
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .proxy(HttpClient.Builder.NO_PROXY)
          .build();

  private final ActionSpec spec;
  private final String name;
  private final ContainerEngine engine;
  private final Process process;
  private final URI base;
  private final StreamPump out;
  private final StreamPump err;
  private final RuntimeConfig config;
  private volatile ActivationLogs active;
  private volatile ActivationLogs next;
  private volatile boolean alive = true;
  private volatile boolean markers;
  private volatile boolean removed;

  private ImageContainer(
      ActionSpec spec,
      String name,
      ContainerEngine engine,
      Process process,
      int port,
      RuntimeConfig config) {
    this.spec = spec;
    this.name = name;
    this.engine = engine;
    this.process = process;
    this.config = config;
    this.base = URI.create("http://127.0.0.1:" + port);
    long logLimit = spec.limits().logBytes();
    this.active = new ActivationLogs(logLimit);
    this.next = new ActivationLogs(logLimit);
    this.out =
        new StreamPump(process.getInputStream(), "stdout", active, () -> next, name + "-stdout");
    this.err =
        new StreamPump(process.getErrorStream(), "stderr", active, () -> next, name + "-stderr");
    out.start();
    err.start();
  }

  /** The outcome of a start: a ready container, or the activation's result when it failed. */
  sealed interface Started {
    record Ready(ImageContainer container, Instant initStart, Duration initTime)
        implements Started {}

    record Failed(ActivationResult result) implements Started {}
  }

  /**
   * Starts a container of {@code spec.image()} (already checked and present in the store) and
   * initialises it. Never throws for a problem of the action or the image.
   */
  static Started start(
      ActionSpec spec, RuntimeConfig config, ContainerEngine engine, ContainerSettings settings) {
    Instant initStart = Instant.now();
    long t0 = System.nanoTime();
    String name = "hpcw-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    ImageContainer container = null;
    try {
      int port = freePort();
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put(ContainerSettings.PID_LABEL, Long.toString(ProcessHandle.current().pid()));
      labels.put(ContainerSettings.JOB_LABEL, settings.owner());
      ContainerRun run =
          new ContainerRun(
              name, spec.image(), port, spec.limits().memoryMb(), config.sandboxUid(), labels);
      ProcessBuilder builder =
          new ProcessBuilder(engine.runCommand(run))
              // the engine may write files into its working directory (conmon's "oom" marker)
              .directory(config.workDir().toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process process = builder.start();
      container = new ImageContainer(spec, name, engine, process, port, config);
      return container.initialise(initStart, t0);
    } catch (IOException | RuntimeException e) {
      List<String> logs = container == null ? List.of() : container.killAndCollect(null);
      engine.remove(name);
      LOG.warn("cannot start a container of image {} as {}", spec.image(), name, e);
      return new Started.Failed(
          ActivationResult.error(
              ActivationStatus.WHISK_ERROR,
              "The pilot could not start a container of image '"
                  + spec.image()
                  + "': "
                  + ActionContainer.withoutPaths(e.getMessage()),
              logs,
              initStart,
              Instant.now()));
    }
  }

  private Started initialise(Instant initStart, long t0) throws IOException {
    long timeoutMillis = spec.limits().timeout().toMillis();
    long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("name", spec.versionKey().split("@", 2)[0]);
    value.put("main", spec.main());
    if (!spec.code().isEmpty()) {
      value.put("code", spec.code());
    }
    value.put("binary", spec.binary());
    value.put("env", spec.env());
    String body = JSON.writeValueAsString(Map.of("value", value));
    while (true) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return failed(
            OpenWhiskMessages.timedOut(timeoutMillis, true), killAndCollect(null), initStart);
      }
      if (!process.isAlive()) {
        return failed(
            "The container of image '"
                + spec.image()
                + "' ended before it answered on port 8080 ("
                + engine.name()
                + " exit "
                + process.exitValue()
                + "); "
                + OpenWhiskMessages.ABNORMAL_INIT,
            killAndCollect(null),
            initStart);
      }
      HttpResponse<InputStream> response;
      try {
        response = post("/init", body, Duration.ofMillis(left));
      } catch (HttpTimeoutException e) {
        return failed(
            OpenWhiskMessages.timedOut(timeoutMillis, true), killAndCollect(null), initStart);
      } catch (IOException e) {
        // not listening yet (refused, or reset by the engine's port forwarder): poll again
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return failed(OpenWhiskMessages.ABNORMAL_INIT, killAndCollect(null), initStart);
      }
      String text = readBounded(response.body(), 64 * 1024).text();
      if (response.statusCode() == 200) {
        // what the container printed while starting goes into the first activation's logs
        return new Started.Ready(this, initStart, Duration.ofNanos(System.nanoTime() - t0));
      }
      String detail = text;
      try {
        var node = JSON.readTree(text);
        if (node != null && node.has("error")) {
          detail = node.get("error").asText();
        }
      } catch (IOException e) {
        // not JSON: the text itself is the detail
      }
      return failed(
          OpenWhiskMessages.invalidInitResponse(
              detail.length() > 1000 ? detail.substring(0, 1000) : detail),
          killAndCollect(null),
          initStart);
    }
  }

  /**
   * Runs one activation; never throws for a problem of the action. After a timeout or a crash the
   * container is removed ({@link #alive()} false).
   */
  synchronized ActivationResult run(ActivationInput input) {
    Instant start = Instant.now();
    if (!alive()) {
      return ActivationResult.whiskError(
          "The container of " + spec.versionKey() + " is no longer alive.", start);
    }
    ActivationLogs logs = active;
    ActivationLogs following = new ActivationLogs(spec.limits().logBytes());
    next = following;
    long timeoutMillis = spec.limits().timeout().toMillis();
    HttpResponse<InputStream> response;
    Body body;
    try {
      response =
          post(
              "/run",
              JSON.writeValueAsString(input.toLoopMessage()),
              Duration.ofMillis(timeoutMillis));
      body = readBounded(response.body(), spec.limits().resultBytes());
    } catch (HttpTimeoutException e) {
      List<String> lines = killAndCollect(logs);
      return ActivationResult.error(
          ActivationStatus.DEVELOPER_ERROR,
          OpenWhiskMessages.timedOut(timeoutMillis, false),
          lines,
          start,
          Instant.now());
    } catch (IOException e) {
      // exit 137: the container's first process died of SIGKILL, which nothing inside the
      // container can send it and the pilot did not (it marks its own kills): the kernel's OOM
      // killer of the container's memory cgroup (podman's OOMKilled flag stays false with cgroups
      // v1)
      boolean memory = waitExit() && (process.exitValue() == 137 || engine.killedForMemory(name));
      List<String> lines = killAndCollect(logs);
      return ActivationResult.error(
          ActivationStatus.DEVELOPER_ERROR,
          memory ? OpenWhiskMessages.MEMORY_EXHAUSTED : OpenWhiskMessages.ABNORMAL_RUN,
          lines,
          start,
          Instant.now());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      List<String> lines = killAndCollect(logs);
      return ActivationResult.error(
          ActivationStatus.WHISK_ERROR,
          "The pilot was interrupted while the action ran.",
          lines,
          start,
          Instant.now());
    }
    ResultReader.Line line =
        new ResultReader.Line(
            body.text(), body.length(), body.length() > spec.limits().resultBytes(), false);
    ResultClassifier.Classified classified =
        ResultClassifier.classify(line, spec.limits().resultBytes());
    if (response.statusCode() != 200 && classified.status() == ActivationStatus.SUCCESS) {
      // a failure status without an 'error' field: not a valid response
      classified =
          ResultClassifier.developerError(
              OpenWhiskMessages.invalidRunResponse("status " + response.statusCode()));
    }
    String note = collectLogs(logs, following);
    List<String> lines = logs.finish(Instant.now(), note);
    return new ActivationResult(
        classified.status(), classified.result(), lines, start, Instant.now(), Optional.empty());
  }

  private HttpResponse<InputStream> post(String path, String body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
  }

  private record Body(String text, long length) {}

  /** Reads at most {@code limit + 1} bytes (enough to know it is over the limit). */
  private static Body readBounded(InputStream in, long limit) throws IOException {
    try (in) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
      long length = bytes.length;
      if (length > limit) {
        return new Body("", length);
      }
      return new Body(new String(bytes, StandardCharsets.UTF_8), length);
    }
  }

  /**
   * Waits a little for the engine's process to end (after a dropped connection); true if it did.
   */
  private boolean waitExit() {
    try {
      return process.waitFor(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String collectLogs(ActivationLogs logs, ActivationLogs following) {
    try {
      if (markers || logs.awaitMarkers(0)) {
        markers = true;
        boolean complete = logs.awaitMarkers(config.logDrainWait().toMillis());
        active = following;
        return complete ? null : OpenWhiskMessages.LOG_FAILURE;
      }
      long since = System.nanoTime();
      long until = since + TimeUnit.MILLISECONDS.toNanos(NATIVE_DRAIN_MILLIS);
      while (!(out.drained(since, QUIET_NANOS) && err.drained(since, QUIET_NANOS))
          && System.nanoTime() < until) {
        LockSupport.parkNanos(50_000);
      }
      if (logs.awaitMarkers(0)) {
        markers = true;
      }
      out.switchTo(following);
      err.switchTo(following);
      active = following;
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      active = following;
      return OpenWhiskMessages.LOG_FAILURE;
    }
  }

  private List<String> killAndCollect(ActivationLogs logs) {
    kill();
    try {
      out.join(STREAM_END_MILLIS);
      err.join(STREAM_END_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ActivationLogs source = logs == null ? active : logs;
    return new ArrayList<>(source.finish(Instant.now(), null));
  }

  /** Kills and removes the container (the engine's process ends with it). */
  private void kill() {
    alive = false;
    if (!removed) {
      removed = true;
      engine.remove(name);
    }
    process.toHandle().destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  ActionSpec spec() {
    return spec;
  }

  /** The container's name on the node. */
  String name() {
    return name;
  }

  boolean alive() {
    return alive && process.isAlive();
  }

  @Override
  public void close() {
    kill();
  }

  private static Started failed(String message, List<String> logs, Instant initStart) {
    return new Started.Failed(
        ActivationResult.error(
            ActivationStatus.DEVELOPER_ERROR, message, logs, initStart, Instant.now()));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}

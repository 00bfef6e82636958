package io.hpcwhisk.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.runtime.container.ContainerEngine;
import io.hpcwhisk.runtime.container.ContainerRun;
import io.hpcwhisk.runtime.container.ContainerSettings;
import io.hpcwhisk.runtime.container.NetnsForwarder;
import io.hpcwhisk.runtime.container.UnixHttp;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * One container of a container action ({@code exec.image}), started by a {@link ContainerEngine}
 * and spoken to over OpenWhisk's docker-action contract ({@code POST /init}, then {@code POST
 * /run}) through a {@link NetnsForwarder}; its network, forwarder, logs and caveats are stated in
 * docs/admin-guide.md §7, "Container actions".
 */
final class ImageContainer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ImageContainer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /**
   * How long the logs of a runtime without markers may take to be read after its result: reached
   * only when the pumps get no processor time for that long or the runtime keeps writing after it
   * answered (those lines then go to the next activation).
   */
  private static final long NATIVE_DRAIN_MILLIS = 1_000;

  private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private static final long STREAM_END_MILLIS = 5_000;

  private final ActionSpec spec;
  private final String name;
  private final ContainerEngine engine;
  private final Process process;
  private final Path dir;
  private final Path socket;
  private final Path pidFile;
  private volatile Process forwarder;
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
      Path dir,
      RuntimeConfig config) {
    this.spec = spec;
    this.name = name;
    this.engine = engine;
    this.process = process;
    this.config = config;
    this.dir = dir;
    this.socket = dir.resolve("8080.sock");
    this.pidFile = dir.resolve("pid");
    long logLimit = spec.limits().logBytes();
    this.active = new ActivationLogs(logLimit);
    this.next = new ActivationLogs(logLimit);
    this.out = StreamPump.polling(process, "stdout", active, () -> next, name);
    this.err = StreamPump.polling(process, "stderr", active, () -> next, name);
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
   *
   * <p>The engine runs in the foreground and its stdout and stderr are the container's (read by
   * {@link StreamPump}s into bounded {@link ActivationLogs}): it waits for the engine's pid file,
   * starts the forwarder in the container's network namespace and posts {@code /init} until the
   * container answers, all within the action's timeout; the engine's own error lines (e.g.
   * podman's) become a failed start's logs.
   */
  static Started start(
      ActionSpec spec, RuntimeConfig config, ContainerEngine engine, ContainerSettings settings) {
    Instant initStart = Instant.now();
    long t0 = System.nanoTime();
    String name = "hpcw-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    ImageContainer container = null;
    Path dir = null;
    try {
      dir = privateDirectory(config.workDir());
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put(ContainerSettings.PID_LABEL, Long.toString(ProcessHandle.current().pid()));
      labels.put(ContainerSettings.JOB_LABEL, settings.owner());
      ContainerRun run =
          new ContainerRun(
              name,
              spec.image(),
              dir.resolve("pid"),
              settings.network(),
              spec.limits().memoryMb(),
              config.sandboxUid(),
              labels);
      ProcessBuilder builder =
          new ProcessBuilder(engine.runCommand(run))
              // the engine may write files into its working directory (conmon's "oom" marker)
              .directory(config.workDir().toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Process process = builder.start();
      container = new ImageContainer(spec, name, engine, process, dir, config);
      return container.initialise(initStart, t0);
    } catch (IOException | RuntimeException e) {
      List<String> logs = container == null ? List.of() : container.killAndCollect(null);
      engine.remove(name);
      if (container == null && dir != null) {
        deleteQuietly(dir);
      }
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
      if (forwarder == null) {
        Optional<Long> pid = NetnsForwarder.readPid(pidFile);
        if (pid.isEmpty()) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
          continue;
        }
        forwarder =
            new ProcessBuilder(NetnsForwarder.command(pid.get(), socket))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
      }
      if (!forwarder.isAlive()) {
        return failed(
            "The pilot could not reach port 8080 of the container of image '"
                + spec.image()
                + "' (its forwarder ended with exit "
                + forwarder.exitValue()
                + "); "
                + OpenWhiskMessages.ABNORMAL_INIT,
            killAndCollect(null),
            initStart);
      }
      UnixHttp.Response response;
      try {
        response = post("/init", body, Duration.ofMillis(left), 64 * 1024);
      } catch (HttpTimeoutException e) {
        return failed(
            OpenWhiskMessages.timedOut(timeoutMillis, true), killAndCollect(null), initStart);
      } catch (IOException e) {
        // not listening yet (no socket yet, or the forwarder found port 8080 closed): poll again
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        continue;
      }
      String text = response.text();
      if (response.status() == 200) {
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
   *
   * <p>The request's timeout is the action's; a timeout or a dropped connection kills and removes
   * the container with the engine's {@code rm --force --time=0}, so a container that ignores
   * SIGTERM goes too. When the image writes OpenWhisk's end marker after each activation its logs
   * are awaited, else the streams are drained as for native executables.
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
    UnixHttp.Response body;
    try {
      body =
          post(
              "/run",
              JSON.writeValueAsString(input.toLoopMessage()),
              Duration.ofMillis(timeoutMillis),
              spec.limits().resultBytes());
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
    }
    ResultReader.Line line =
        new ResultReader.Line(
            body.text(), body.length(), body.length() > spec.limits().resultBytes(), false);
    ResultClassifier.Classified classified =
        ResultClassifier.classify(line, spec.limits().resultBytes());
    if (body.status() != 200 && classified.status() == ActivationStatus.SUCCESS) {
      // a failure status without an 'error' field: not a valid response
      classified =
          ResultClassifier.developerError(
              OpenWhiskMessages.invalidRunResponse("status " + body.status()));
    }
    String note = collectLogs(logs, following);
    List<String> lines = logs.finish(Instant.now(), note);
    return new ActivationResult(
        classified.status(), classified.result(), lines, start, Instant.now(), Optional.empty());
  }

  private UnixHttp.Response post(String path, String body, Duration timeout, long limit)
      throws IOException {
    return UnixHttp.post(socket, path, body, timeout, limit);
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
      // The engine relays the container's output asynchronously (conmon), so an empty pipe right
      // after the answer proves less than for a native runtime: the pipes must also be empty at a
      // check at least QUIET_NANOS after it. Images that print the end markers (those built for
      // OpenWhisk) skip this wait.
      long quietFrom = since + QUIET_NANOS;
      while (!(out.drainedSince(quietFrom) && err.drainedSince(quietFrom))
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
    Process f = forwarder;
    if (f != null) {
      f.toHandle().destroyForcibly();
    }
    if (!removed) {
      removed = true;
      engine.remove(name);
      deleteQuietly(dir);
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

  /**
   * A new directory of mode 0700 for the forwarder's socket and the engine's pid file: in the work
   * directory, or in the system's temporary directory when the work directory's path is too long
   * for a Unix socket (108 bytes).
   */
  private static Path privateDirectory(Path workDir) throws IOException {
    var perms = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    Path base = workDir.toAbsolutePath();
    if (base.toString().length() > 70) {
      base = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    }
    Files.createDirectories(base);
    return Files.createTempDirectory(base, "ctr-", perms);
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var entries = Files.list(dir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      LOG.debug("cannot delete {}", dir, e);
    }
  }
}

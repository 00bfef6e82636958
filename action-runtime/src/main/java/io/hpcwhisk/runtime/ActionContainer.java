package io.hpcwhisk.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.protocol.ActivationStatus;
import java.io.Closeable;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * One runtime process for one action version: started and initialised once ({@code /init}), then
 * runs activations one at a time ({@link #run}) until it is closed, times out or dies.
 */
public final class ActionContainer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /**
   * How long the logs of a runtime without markers may take to be read after its result: reached
   * only when the pumps get no processor time for that long or the runtime keeps writing after it
   * answered (those lines then go to the next activation).
   */
  private static final long NATIVE_DRAIN_MILLIS = 1_000;

  /**
   * How long a killed runtime's log streams may take to reach their end (its pumps read what is
   * left first).
   */
  private static final long STREAM_END_MILLIS = 5_000;

  /** util-linux's {@code taskset}, which pins a runtime (sched_setaffinity) before it starts. */
  private static final String TASKSET =
      Files.isExecutable(Path.of("/usr/bin/taskset")) ? "/usr/bin/taskset" : "taskset";

  private volatile Runnable onClose;

  private volatile ActionSpec spec;
  private final Path dir;
  private final Launchers launchers;

  /** A pre-started runtime no action has taken yet (guarded by this). */
  private boolean stem;

  private final Process process;
  private final RandomAccessFile fifo;
  private final OutputStream stdin;
  private final ResultReader results;
  private final StreamPump out;
  private final StreamPump err;
  private final RuntimeConfig config;
  private volatile ActivationLogs active;
  private volatile ActivationLogs next;
  private volatile boolean alive = true;
  private volatile boolean killedForMemory;

  private ActionContainer(
      ActionSpec spec,
      Path dir,
      Process process,
      RandomAccessFile fifo,
      RuntimeConfig config,
      Launchers launchers)
      throws IOException {
    this.spec = spec;
    this.launchers = launchers;
    this.dir = dir;
    this.process = process;
    this.fifo = fifo;
    this.config = config;
    this.stdin = process.getOutputStream();
    long logLimit = spec.limits().logBytes();
    this.active = new ActivationLogs(logLimit);
    this.next = new ActivationLogs(logLimit);
    String name = "runtime-" + process.pid();
    this.results =
        new ResultReader(
            new FileInputStream(fifo.getFD()),
            new FileOutputStream(fifo.getFD()),
            spec.limits().resultBytes(),
            name + "-fd3");
    if (spec.actionKind().ownLauncher()) { // ends each activation's logs with markers
      this.out =
          new StreamPump(process.getInputStream(), "stdout", active, () -> next, name + "-stdout");
      this.err =
          new StreamPump(process.getErrorStream(), "stderr", active, () -> next, name + "-stderr");
    } else {
      this.out = StreamPump.polling(process, "stdout", active, () -> next, name);
      this.err = StreamPump.polling(process, "stderr", active, () -> next, name);
    }
  }

  /**
   * Starts a runtime for {@code spec} in a fresh directory under the work directory and initialises
   * it. Never throws for a problem of the action: those come back as {@link InitOutcome.Failed}.
   */
  static InitOutcome start(ActionSpec spec, RuntimeConfig config, Launchers launchers) {
    return start(spec, config, launchers, null, false);
  }

  /**
   * As {@link #start(ActionSpec, RuntimeConfig, Launchers)}, pinned to {@code grant}'s cores
   * ({@code taskset -c}) and seeing only its GPUs ({@code CUDA_VISIBLE_DEVICES}; empty when {@code
   * hideGpus} and the grant holds none). A null grant: not pinned.
   */
  static InitOutcome start(
      ActionSpec spec,
      RuntimeConfig config,
      Launchers launchers,
      DevicePool.Grant grant,
      boolean hideGpus) {
    Instant initStart = Instant.now();
    long t0 = System.nanoTime();
    ActionKind kind = spec.actionKind();
    Path dir = newDir(config, spec.versionKey());
    ActionContainer container = null;
    try {
      // exclusive: a directory (or a fifo in it) left by another start can never be reused
      createDirs(dir);
      ActionFiles.Prepared prepared = ActionFiles.prepare(spec, dir);
      if (!prepared.ok()) {
        deleteQuietly(dir);
        return failed(
            OpenWhiskMessages.invalidInitResponse(prepared.problem()), List.of(), initStart);
      }
      container = launch(spec, dir, prepared.entry(), config, launchers, grant, hideGpus);
      if (!kind.ownLauncher()) {
        return new InitOutcome.Ready(
            container, initStart, Duration.ofNanos(System.nanoTime() - t0));
      }
      return container.initialise(prepared.entry(), initStart, t0);
    } catch (IOException | RuntimeException e) {
      return cannotStart(spec, dir, container, initStart, e);
    }
  }

  /**
   * Starts a pre-started runtime ("stem cell", {@link Prewarm}) of {@code kind}: its launcher, in a
   * fresh directory of its own, with {@code memoryMb} and no action environment, not initialised.
   * Only {@link #adopt} makes it run an action, once.
   *
   * @throws IOException when the process cannot be started
   */
  static ActionContainer startStem(
      ActionKind kind, int memoryMb, RuntimeConfig config, Launchers launchers, boolean hideGpus)
      throws IOException {
    ActionSpec stem =
        new ActionSpec(
            "prewarm/" + kind.canonicalName(),
            kind.canonicalName(),
            "",
            false,
            "main",
            Map.of(),
            ActionLimits.defaults().withMemoryMb(memoryMb),
            null);
    Path dir = newDir(config, stem.versionKey());
    try {
      createDirs(dir);
      ActionContainer container = launch(stem, dir, null, config, launchers, null, hideGpus);
      container.stem = true;
      return container;
    } catch (IOException | RuntimeException e) {
      deleteQuietly(dir);
      throw e;
    }
  }

  /**
   * Gives this pre-started runtime to {@code action} (a kind, memory and no environment for which
   * {@link Prewarm#fits} holds): writes the action's code into its directory and initialises it. A
   * runtime is adopted at most once; from then on it is the action's like any cold-started one.
   */
  InitOutcome adopt(ActionSpec action) {
    Instant initStart = Instant.now();
    long t0 = System.nanoTime();
    synchronized (this) {
      if (!stem) {
        throw new IllegalStateException("runtime " + pid() + " is not a free pre-started one");
      }
      stem = false;
    }
    if (action.actionKind() != spec.actionKind()
        || action.limits().memoryMb() != spec.limits().memoryMb()
        || !action.env().isEmpty()) {
      close();
      throw new IllegalArgumentException(
          "a pre-started " + spec.kind() + " runtime cannot run " + action.versionKey());
    }
    this.spec = action;
    ActivationLogs first = new ActivationLogs(action.limits().logBytes());
    this.next = new ActivationLogs(action.limits().logBytes());
    this.active = first;
    out.switchTo(first);
    err.switchTo(first);
    results.limit(action.limits().resultBytes());
    try {
      ActionFiles.Prepared prepared = ActionFiles.prepare(action, dir);
      if (!prepared.ok()) {
        return failed(
            OpenWhiskMessages.invalidInitResponse(prepared.problem()),
            killAndCollect(null),
            initStart);
      }
      launchers.prepare(dir);
      return initialise(prepared.entry(), initStart, t0);
    } catch (IOException | RuntimeException e) {
      return cannotStart(action, dir, this, initStart, e);
    }
  }

  /** Whether this is a pre-started runtime no action has taken yet. */
  synchronized boolean stem() {
    return stem;
  }

  private static Path newDir(RuntimeConfig config, String versionKey) {
    return config
        .workDir()
        .resolve("actions")
        .resolve(SEQUENCE.incrementAndGet() + "-" + safe(versionKey));
  }

  private static void createDirs(Path dir) throws IOException {
    Files.createDirectories(dir.getParent());
    Files.createDirectory(dir);
    Files.createDirectory(dir.resolve("tmp"));
  }

  /** Starts the runtime process of {@code spec} in {@code dir} (its code already there). */
  private static ActionContainer launch(
      ActionSpec spec,
      Path dir,
      Path entry,
      RuntimeConfig config,
      Launchers launchers,
      DevicePool.Grant grant,
      boolean hideGpus)
      throws IOException {
    ActionKind kind = spec.actionKind();
    Path fifoPath = dir.resolve("fd3");
    mkfifo(fifoPath);
    launchers.prepare(dir);
    List<String> command = launchers.command(kind, entry, dir, fifoPath, spec.limits().memoryMb());
    if (grant != null && !grant.cores().isEmpty()) {
      List<String> pinned = new ArrayList<>(List.of(TASKSET, "-c", grant.coreList()));
      pinned.addAll(command);
      command = pinned;
    }
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = builder.environment();
    String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.clear();
    env.put("PATH", path);
    env.put("HOME", dir.toString());
    env.put("TMPDIR", dir.resolve("tmp").toString());
    env.put("LANG", "C.UTF-8");
    env.putAll(spec.env());
    if (kind.ownLauncher()) {
      env.put("__OW_WAIT_FOR_ACK", "1");
    }
    if (grant != null && !grant.gpus().isEmpty()) {
      env.put("CUDA_VISIBLE_DEVICES", String.join(",", grant.gpus()));
    } else if (hideGpus) {
      env.put("CUDA_VISIBLE_DEVICES", "");
    }
    // Opening the fifo read-write never blocks on Linux and keeps it open for the runtime's life.
    RandomAccessFile fifo = new RandomAccessFile(fifoPath.toFile(), "rw");
    Process process;
    try {
      process = builder.start();
    } catch (IOException | RuntimeException e) {
      fifo.close();
      throw e;
    }
    ActionContainer container = new ActionContainer(spec, dir, process, fifo, config, launchers);
    container.begin();
    return container;
  }

  private static InitOutcome cannotStart(
      ActionSpec spec, Path dir, ActionContainer container, Instant initStart, Exception e) {
    List<String> logs = container == null ? List.of() : container.killAndCollect(null);
    if (container == null) {
      deleteQuietly(dir);
    }
    LoggerFactory.getLogger(ActionContainer.class)
        .warn("cannot start the {} runtime in {}", spec.kind(), dir, e);
    return new InitOutcome.Failed(
        ActivationResult.error(
            ActivationStatus.WHISK_ERROR,
            "The pilot could not start the "
                + spec.kind()
                + " runtime: "
                + withoutPaths(e.getMessage()),
            logs,
            initStart,
            Instant.now()));
  }

  private void begin() {
    out.start();
    err.start();
    results.start();
    process.onExit().thenRun(results::processExited);
  }

  private InitOutcome initialise(Path entry, Instant initStart, long t0) throws IOException {
    Map<String, Object> init =
        Map.of("init", Map.of("main", spec.main(), "entry", entry.toString()));
    long timeoutMillis = spec.limits().timeout().toMillis();
    ResultReader.Line ack;
    try {
      send(JSON.writeValueAsString(init));
      ack = results.next(timeoutMillis);
    } catch (IOException e) {
      ack = ResultReader.Line.EXITED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ack = null;
    }
    if (ack == null) {
      return failed(
          OpenWhiskMessages.timedOut(timeoutMillis, true), killAndCollect(null), initStart);
    }
    if (ack.exited()) {
      return failed(OpenWhiskMessages.ABNORMAL_INIT, killAndCollect(null), initStart);
    }
    Map<?, ?> reply;
    try {
      reply = JSON.readValue(ack.text(), Map.class);
    } catch (IOException e) {
      reply = Map.of("ok", false, "error", "unexpected init reply " + ack.text());
    }
    if (!Boolean.TRUE.equals(reply.get("ok"))) {
      Object error = reply.get("error");
      return failed(
          OpenWhiskMessages.invalidInitResponse(error == null ? null : error.toString()),
          killAndCollect(null),
          initStart);
    }
    return new InitOutcome.Ready(this, initStart, Duration.ofNanos(System.nanoTime() - t0));
  }

  /**
   * Runs one activation; never throws for a problem of the action. After a timeout, a crash or a
   * failure to talk to the process the container is dead ({@link #alive()} false).
   *
   * <p>It writes one JSON line to the process's stdin, waits for one line on fd 3 (a fifo the pilot
   * holds open for reading, {@link ResultReader}) within the timeout, then until both log streams
   * ({@link StreamPump}s) delivered the end marker (HPC-Whisk's launchers) or are drained (native
   * executables). Output an action prints after returning lands in the next activation's logs, as
   * in OpenWhisk; native executables that buffer their output may lose log lines to the next
   * activation; the memory limit is the one the OS allows without root (heap flags, address-space
   * limit).
   */
  public synchronized ActivationResult run(ActivationInput input) {
    Instant start = Instant.now();
    if (!alive) {
      return ActivationResult.whiskError(
          "The runtime of " + spec.versionKey() + " is no longer alive.", start);
    }
    ActivationLogs logs = active;
    ActivationLogs following = new ActivationLogs(spec.limits().logBytes());
    next = following;
    results.clear();
    long timeoutMillis = spec.limits().timeout().toMillis();
    ResultReader.Line line;
    try {
      send(JSON.writeValueAsString(input.toLoopMessage()));
      line = results.next(timeoutMillis);
    } catch (IOException e) {
      line = ResultReader.Line.EXITED;
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
    if (line == null) {
      List<String> lines = killAndCollect(logs);
      return ActivationResult.error(
          ActivationStatus.DEVELOPER_ERROR,
          OpenWhiskMessages.timedOut(timeoutMillis, false),
          lines,
          start,
          Instant.now());
    }
    if (line.exited()) {
      List<String> lines = killAndCollect(logs);
      String message =
          killedForMemory ? OpenWhiskMessages.MEMORY_EXHAUSTED : OpenWhiskMessages.ABNORMAL_RUN;
      return ActivationResult.error(
          ActivationStatus.DEVELOPER_ERROR, message, lines, start, Instant.now());
    }
    ResultClassifier.Classified classified =
        ResultClassifier.classify(line, spec.limits().resultBytes());
    String note = collectLogs(logs, following);
    List<String> lines = logs.finish(Instant.now(), note);
    return new ActivationResult(
        classified.status(), classified.result(), lines, start, Instant.now(), Optional.empty());
  }

  /**
   * Waits for the activation's last log lines; returns OpenWhisk's log-failure note if they did not
   * come.
   */
  private String collectLogs(ActivationLogs logs, ActivationLogs following) {
    try {
      if (spec.actionKind().ownLauncher()) {
        boolean complete = logs.awaitMarkers(config.logDrainWait().toMillis());
        active = following;
        return complete ? null : OpenWhiskMessages.LOG_FAILURE;
      }
      long since = System.nanoTime();
      long until = since + TimeUnit.MILLISECONDS.toNanos(NATIVE_DRAIN_MILLIS);
      while (!(out.drainedSince(since) && err.drainedSince(since)) && System.nanoTime() < until) {
        LockSupport.parkNanos(50_000);
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

  private void send(String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  /**
   * Kills the process tree, waits for the log streams to end and returns the logs collected so far.
   */
  private List<String> killAndCollect(ActivationLogs logs) {
    kill();
    try {
      // the streams end with the process; the wait only matters when this machine starves the pumps
      out.join(STREAM_END_MILLIS);
      err.join(STREAM_END_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ActivationLogs source = logs == null ? active : logs;
    List<String> lines = new ArrayList<>(source.finish(Instant.now(), null));
    cleanUp();
    return lines;
  }

  private void kill() {
    alive = false;
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    // Through the handle, not Process.destroyForcibly(): that also closes our ends of the runtime's
    // stdout and
    // stderr, and a line the action wrote just before it crashed, still in the pipe, would be lost
    // to its logs.
    // The pumps read to the end of the streams; cleanUp() closes them.
    process.toHandle().destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void cleanUp() {
    for (Closeable stream :
        List.of(fifo, stdin, process.getInputStream(), process.getErrorStream())) {
      try {
        stream.close();
      } catch (IOException e) {
        // already closed, or the runtime is gone: nothing to release
      }
    }
    deleteQuietly(dir);
  }

  /**
   * Marks the container as having exceeded its memory and kills it (used by the memory watchdog).
   */
  void killForMemory() {
    killedForMemory = true;
    kill();
  }

  public ActionSpec spec() {
    return spec;
  }

  /** Whether the process is running and may take the next activation. */
  public boolean alive() {
    return alive && process.isAlive();
  }

  /** The process id of the runtime (the interpreter, or bwrap when sandboxed). */
  public long pid() {
    return process.pid();
  }

  /**
   * Resident memory of the runtime process tree in kilobytes, from {@code /proc} (0 if unknown).
   */
  long residentKb() {
    return ProcStatus.treeResidentKb(process.pid());
  }

  @Override
  public void close() {
    if (process.isAlive() || alive) {
      kill();
    }
    cleanUp();
    Runnable hook = onClose;
    onClose = null;
    if (hook != null) {
      hook.run();
    }
  }

  /** Runs {@code hook} once, when this runtime is closed (gives its cores and GPUs back). */
  void onClose(Runnable hook) {
    this.onClose = hook;
  }

  /**
   * The CPUs some process of this runtime may run on beyond {@code cores} (it widened its affinity
   * with {@code sched_setaffinity}/{@code taskset}); empty when every process stays within them.
   */
  List<Integer> cpusBeyond(List<Integer> cores) {
    Set<Integer> beyond = new TreeSet<>();
    for (long pid : ProcStatus.tree(process.pid())) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
          if (line.startsWith("Cpus_allowed_list:")) {
            for (int cpu : DevicePool.parseCpuList(line.substring(line.indexOf(':') + 1))) {
              if (!cores.contains(cpu)) {
                beyond.add(cpu);
              }
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // the process ended meanwhile
      }
    }
    return List.copyOf(beyond);
  }

  /** Whether it holds cores or GPUs of the pool (it gives them back when closed). */
  boolean holdsDevices() {
    return onClose != null;
  }

  private static InitOutcome failed(String message, List<String> logs, Instant initStart) {
    return new InitOutcome.Failed(
        ActivationResult.error(
            ActivationStatus.DEVELOPER_ERROR, message, logs, initStart, Instant.now()));
  }

  private static void mkfifo(Path path) throws IOException {
    Process process =
        new ProcessBuilder("mkfifo", "-m", "600", path.toString())
            .redirectErrorStream(true)
            .start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException("mkfifo " + path + " failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while creating " + path, e);
    }
  }

  /**
   * A message for the caller with the file names of this machine taken out (they stay in the
   * pilot's log).
   */
  static String withoutPaths(String message) {
    return message == null ? "no detail" : message.replaceAll("(?<![\\w.])/[^\\s:'\"]+", "<path>");
  }

  private static String safe(String key) {
    String cleaned = key.replaceAll("[^A-Za-z0-9._-]", "_");
    return cleaned.length() > 60 ? cleaned.substring(0, 60) : cleaned;
  }

  static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // best effort
                }
              });
    } catch (UncheckedIOException e) {
      // a file vanished while the tree was walked (a runtime cleaning up at the same time): best
      // effort
    } catch (IOException e) {
      // best effort
    }
  }
}

package io.hpcwhisk.bench.controller;

import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.PilotOwner;
import io.hpcwhisk.core.harvest.PassPacing;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.slurm.cli.CommandRunner;
import io.hpcwhisk.slurm.cli.NodeGres;
import io.hpcwhisk.slurm.cli.ProcessCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmCliClusterView;
import io.hpcwhisk.slurm.cli.SlurmCliFilteredView;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.slurm.controller.HarvestController;
import io.hpcwhisk.slurm.controller.PassReport;
import io.hpcwhisk.slurm.controller.ReconcilePass;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the controller's pass (in dry run: it reads and decides, submits nothing) on a real cluster
 * for a while, paced as the controller paces it ({@link PassPacing}), then polls the same cluster
 * the way HPC-Whisk's job manager did ({@code squeue} every 15 s) for as long, and prints per pass
 * and per phase: CPU ms (the JVM thread's and that of the Slurm commands it ran, from {@code
 * /proc/self/stat}'s reaped-children times), wall ms, bytes read, and slurmctld's RPCs per second
 * from {@code sdiag} before and after (all message types; the two {@code sdiag} calls themselves
 * are included).
 */
public final class ControllerLoadBenchmark {

  /** What to run. */
  public record Settings(
      HarvestConfig config,
      Duration phase,
      Duration baselineInterval,
      List<String> baseline,
      boolean fullJson) {

    /** The controller's own view: the filtered, lean reads ({@link SlurmCliFilteredView}). */
    public Settings(
        HarvestConfig config, Duration phase, Duration baselineInterval, List<String> baseline) {
      this(config, phase, baselineInterval, baseline, false);
    }
  }

  /** One measured pass. */
  public record Pass(
      long wallMs, double jvmCpuMs, double commandCpuMs, long bytes, boolean changed, long calls) {}

  /** One phase's totals. */
  public record Phase(
      String name, List<Pass> passes, double seconds, long rpcs, long bytes, double cpuMs) {
    double rpcsPerSecond() {
      return rpcs / seconds;
    }

    double bytesPerSecond() {
      return bytes / seconds;
    }

    double cpuMsPerSecond() {
      return cpuMs / seconds;
    }
  }

  private static final Pattern RPC_COUNT =
      Pattern.compile("^\\s+[A-Z_0-9]+\\s+\\(\\s*\\d+\\)\\s+count:(\\d+)", Pattern.MULTILINE);
  private static final long NANOS_PER_TICK = 10_000_000L;

  private final Settings settings;
  private final PrintStream out;
  private final AtomicLong bytesRead = new AtomicLong();
  private final AtomicLong commands = new AtomicLong();
  private final ProcessCommandRunner processes;

  public ControllerLoadBenchmark(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
    this.processes = new ProcessCommandRunner(settings.config().slurm().environment());
  }

  /** Runs both phases and prints the table; returns them (controller, baseline). */
  public List<Phase> run() throws InterruptedException {
    Phase controller = controllerPhase();
    Phase baseline = baselinePhase();
    print(controller, baseline);
    return List.of(controller, baseline);
  }

  private Phase controllerPhase() throws InterruptedException {
    HarvestConfig config = settings.config();
    var slurm = config.slurm();
    CommandRunner counting =
        (command, stdin, timeout) -> {
          CommandRunner.Result r = processes.run(command, stdin, timeout);
          bytesRead.addAndGet(r.stdout().length() + (long) r.stderr().length());
          commands.incrementAndGet();
          return r;
        };
    SlurmCli cli =
        new SlurmCli(slurm.binDir(), slurm.commandTimeout(), counting, SlurmCli.CallObserver.NONE);
    PilotLauncher none =
        new PilotLauncher() {
          @Override
          public JobId submit(PilotShape shape) {
            throw new IllegalStateException("the benchmark runs the pass as a dry run");
          }

          @Override
          public void cancel(JobId id) {
            throw new IllegalStateException("the benchmark runs the pass as a dry run");
          }
        };
    ReconcilePass pass =
        HarvestController.pass(
            config,
            new SimpleMeterRegistry(),
            settings.fullJson()
                ? new SlurmCliClusterView(cli, InstantSource.system(), new NodeGres())
                : new SlurmCliFilteredView(
                    cli,
                    InstantSource.system(),
                    new NodeGres(),
                    config.slurm().partition(),
                    PilotOwner.of(
                        config.harvest().pilotJob().namePrefix(), System.getProperty("user.name"))),
            none,
            InstantSource.system());
    PassPacing pacing = config.harvest().pacing();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    out.printf(
        Locale.ROOT,
        "controller: %s, interval %s, idle interval %s, for %d s%n",
        settings.fullJson()
            ? "sinfo " + cli.jsonOption() + " + squeue " + cli.jsonOption() + " (full)"
            : "sinfo --Node --responding --partition + squeue --partition --states --Format"
                + " (filtered)",
        config.harvest().interval(),
        config.harvest().idleInterval(),
        settings.phase().toSeconds());
    out.println(
        "  pass  wall ms  JVM CPU ms  commands CPU ms     bytes  calls  changed  next wait");
    long rpcBefore = rpcs();
    long start = System.nanoTime();
    long end = start + settings.phase().toNanos();
    List<Pass> passes = new ArrayList<>();
    Duration delay = pacing.interval();
    while (System.nanoTime() < end) {
      long passStart = System.nanoTime();
      long cpu0 = threads.getCurrentThreadCpuTime();
      long children0 = childrenCpuNanos();
      long bytes0 = bytesRead.get();
      long calls0 = commands.get();
      PassReport report = pass.run();
      long wall = System.nanoTime() - passStart;
      Pass p =
          new Pass(
              wall / 1_000_000,
              (threads.getCurrentThreadCpuTime() - cpu0) / 1e6,
              (childrenCpuNanos() - children0) / 1e6,
              bytesRead.get() - bytes0,
              pass.lastPassChanged(),
              commands.get() - calls0);
      passes.add(p);
      delay = pacing.next(delay, p.changed());
      out.printf(
          Locale.ROOT,
          "  %4d %8d %11.1f %16.1f %9d  %5d  %-7s  %s%s%n",
          passes.size(),
          p.wallMs(),
          p.jvmCpuMs(),
          p.commandCpuMs(),
          p.bytes(),
          p.calls(),
          p.changed(),
          delay,
          report.failure().map(f -> "  FAILED: " + f).orElse(""));
      long sleep = delay.toNanos() - wall;
      if (sleep > 0) {
        Thread.sleep(Math.min(sleep, Math.max(0, end - System.nanoTime())) / 1_000_000);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long rpcAfter = rpcs();
    double cpu = passes.stream().mapToDouble(p -> p.jvmCpuMs() + p.commandCpuMs()).sum();
    long bytes = passes.stream().mapToLong(Pass::bytes).sum();
    return new Phase("controller", passes, seconds, rpcAfter - rpcBefore, bytes, cpu);
  }

  private Phase baselinePhase() throws InterruptedException {
    out.printf(
        Locale.ROOT,
        "baseline: `%s` every %d s, for %d s%n",
        String.join(" ", settings.baseline()),
        settings.baselineInterval().toSeconds(),
        settings.phase().toSeconds());
    List<String> command = new ArrayList<>();
    command.add(
        settings
            .config()
            .slurm()
            .binDir()
            .map(d -> d.resolve(settings.baseline().get(0)).toString())
            .orElse(settings.baseline().get(0)));
    command.addAll(settings.baseline().subList(1, settings.baseline().size()));
    long rpcBefore = rpcs();
    long start = System.nanoTime();
    long end = start + settings.phase().toNanos();
    List<Pass> polls = new ArrayList<>();
    while (System.nanoTime() < end) {
      long pollStart = System.nanoTime();
      long children0 = childrenCpuNanos();
      CommandRunner.Result r =
          processes.run(command, "", settings.config().slurm().commandTimeout());
      long wall = System.nanoTime() - pollStart;
      polls.add(
          new Pass(
              wall / 1_000_000,
              0,
              (childrenCpuNanos() - children0) / 1e6,
              r.stdout().length() + (long) r.stderr().length(),
              true,
              1));
      long sleep = settings.baselineInterval().toNanos() - wall;
      if (sleep > 0) {
        Thread.sleep(Math.min(sleep, Math.max(0, end - System.nanoTime())) / 1_000_000);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long rpcAfter = rpcs();
    double cpu = polls.stream().mapToDouble(Pass::commandCpuMs).sum();
    long bytes = polls.stream().mapToLong(Pass::bytes).sum();
    return new Phase("baseline", polls, seconds, rpcAfter - rpcBefore, bytes, cpu);
  }

  private void print(Phase controller, Phase baseline) {
    out.println();
    out.println(
        "| | passes | mean wall ms | max wall ms | mean CPU ms/pass (JVM + commands) | bytes/pass |"
            + " Slurm calls/pass | slurmctld RPCs/s | bytes/s | CPU ms/s |");
    out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (Phase p : List.of(controller, baseline)) {
      out.printf(
          Locale.ROOT,
          "| %s | %d | %.0f | %d | %.1f | %.0f | %.1f | %.2f | %.0f | %.2f |%n",
          p.name(),
          p.passes().size(),
          p.passes().stream().mapToLong(Pass::wallMs).average().orElse(0),
          p.passes().stream().mapToLong(Pass::wallMs).max().orElse(0),
          p.passes().stream().mapToDouble(x -> x.jvmCpuMs() + x.commandCpuMs()).average().orElse(0),
          p.passes().stream().mapToLong(Pass::bytes).average().orElse(0),
          p.passes().stream().mapToLong(Pass::calls).average().orElse(0),
          p.rpcsPerSecond(),
          p.bytesPerSecond(),
          p.cpuMsPerSecond());
    }
    out.printf(
        Locale.ROOT,
        "| controller / baseline | | | | | | | %.2f | %.2f | %.2f |%n",
        ratio(controller.rpcsPerSecond(), baseline.rpcsPerSecond()),
        ratio(controller.bytesPerSecond(), baseline.bytesPerSecond()),
        ratio(controller.cpuMsPerSecond(), baseline.cpuMsPerSecond()));
    out.printf(Locale.ROOT, "load average at the end: %s%n", loadAverage());
  }

  private static double ratio(double a, double b) {
    return b == 0 ? Double.NaN : a / b;
  }

  /** The total of slurmctld's RPC counts by message type ({@code sdiag}); -1 when unreadable. */
  long rpcs() {
    List<String> command = new ArrayList<>();
    command.add(
        settings.config().slurm().binDir().map(d -> d.resolve("sdiag").toString()).orElse("sdiag"));
    CommandRunner.Result r = processes.run(command, "", settings.config().slurm().commandTimeout());
    return rpcTotal(r.stdout());
  }

  /** The sum of the {@code count:} of every message type in an {@code sdiag} output. */
  static long rpcTotal(String sdiag) {
    int from = sdiag.indexOf("Remote Procedure Call statistics by message type");
    int to = sdiag.indexOf("Remote Procedure Call statistics by user");
    if (from < 0) {
      return -1;
    }
    String section = sdiag.substring(from, to > from ? to : sdiag.length());
    long total = 0;
    Matcher m = RPC_COUNT.matcher(section);
    while (m.find()) {
      total += Long.parseLong(m.group(1));
    }
    return total;
  }

  /** CPU time of this JVM's ended and reaped child processes ({@code cutime + cstime}). */
  static long childrenCpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields after the command: state(3) ... cutime is field 16, cstime 17 (1-based)
      return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "?";
    }
  }
}

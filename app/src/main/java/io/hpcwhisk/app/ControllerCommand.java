package io.hpcwhisk.app;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.bench.controller.ControllerLoadBenchmark;
import io.hpcwhisk.bench.harvest.HarvestBenchmark;
import io.hpcwhisk.configuration.ConfigException;
import io.hpcwhisk.core.time.Durations;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.slurm.controller.HarvestController;
import io.hpcwhisk.slurm.controller.PassReport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hpc-whisk controller run}: the harvest controller on its own (the server runs it too). */
@Command(
    name = "controller",
    mixinStandardHelpOptions = true,
    description =
        "The harvest controller: watches Slurm, finds idle nodes and backfill windows, and submits"
            + " preemptible pilot jobs into the harvest partition, shaped to fit them.",
    subcommands = {
      ControllerCommand.Run.class,
      ControllerCommand.Bench.class,
      ControllerCommand.LoadBench.class
    })
final class ControllerCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description =
          "Run the reconcile loop until stopped (Ctrl-C): every interval, read sinfo/squeue, ask"
              + " the policy, submit and cancel pilots. With --dry-run it prints every pass's"
              + " intents and changes nothing; with --once it runs a single pass and exits. Options"
              + " override the slurm: and harvest: sections of the configuration.",
      footer = {
        "",
        "Configuration keys and their defaults (config/hpc-whisk.yaml):",
        HarvestConfig.DEFAULTS_HELP_FORMAT
      })
  static final class Run implements Runnable {

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description =
            "Configuration file (YAML). Default: config/hpc-whisk.yaml of the installation when it"
                + " exists, else the built-in defaults.")
    Path config;

    @Option(
        names = "--dry-run",
        description = "Print the intents of every pass; submit and cancel nothing.")
    boolean dryRun;

    @Option(names = "--once", description = "Run one pass, print it, and exit.")
    boolean once;

    @Option(
        names = "--policy",
        paramLabel = "NAME",
        description =
            "Harvest policy: fib, var or adaptive" + " (config harvest.policy; default adaptive).")
    String policy;

    @Option(
        names = "--param",
        paramLabel = "KEY=VALUE",
        description =
            "A policy parameter, e.g. max-pending=8" + " (repeatable; replaces harvest.params).")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(
        names = "--interval",
        paramLabel = "DURATION",
        description = "Reconcile interval, e.g. 5s" + " (config harvest.interval; default 5s).")
    String interval;

    @Option(
        names = "--partition",
        paramLabel = "NAME",
        description = "Harvest partition (config slurm.partition;" + " default whisk).")
    String partition;

    @Override
    public void run() {
      Path home = home();
      HarvestConfig cfg = effectiveConfig(home);
      PrintStream out = System.out;
      var registry = new SimpleMeterRegistry();
      Consumer<PassReport> print = report -> print(out, report, cfg.harvest().dryRun());
      if (once) {
        print.accept(HarvestController.cliPass(cfg, registry, home).run());
        return;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      HarvestController controller = HarvestController.start(cfg, registry, home, print);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    controller.close();
                    stopped.countDown();
                  },
                  "hpc-whisk-controller-stop"));
      out.println(
          "harvest controller running: policy "
              + cfg.harvest().policy()
              + ", partition "
              + cfg.slurm().partition()
              + ", every "
              + Durations.format(cfg.harvest().interval())
              + (cfg.harvest().dryRun() ? " (dry run: nothing is submitted)" : "")
              + "; Ctrl-C stops it");
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    HarvestConfig effectiveConfig(Path home) {
      Path file = config;
      if (file == null && Files.isRegularFile(home.resolve("config/hpc-whisk.yaml"))) {
        file = home.resolve("config/hpc-whisk.yaml");
      }
      if (config != null && !Files.isRegularFile(config)) {
        throw new ConfigException("--config " + config + " is not a readable file");
      }
      HarvestConfig base = file == null ? HarvestConfig.defaults() : HarvestConfig.load(file);
      var s = base.slurm();
      var h = base.harvest();
      String name = policy != null ? policy : h.policy();
      Map<String, String> chosen =
          !params.isEmpty() ? params : (name.equals(h.policy()) ? h.params() : Map.of());
      // no parameters while the policy changes: parameters are checked against the policy
      var harvest =
          h.with(HarvestConfig.Harvest::params, Map.of())
              .with(HarvestConfig.Harvest::policy, name)
              .with(HarvestConfig.Harvest::params, chosen)
              .with(
                  HarvestConfig.Harvest::interval,
                  interval != null ? Durations.parse(interval) : h.interval())
              .with(HarvestConfig.Harvest::dryRun, dryRun || h.dryRun());
      return base.with(
              HarvestConfig::slurm,
              s.with(HarvestConfig.Slurm::partition, partition != null ? partition : s.partition()))
          .with(HarvestConfig::harvest, harvest);
    }

    static Path home() {
      String home = System.getenv("HPC_WHISK_HOME");
      return home == null ? Path.of("").toAbsolutePath() : Path.of(home);
    }

    static void print(PrintStream out, PassReport report, boolean dryRun) {
      out.println(report.at() + "  " + report.summary());
      // identical intents in a row (fib and var submit many of one shape) print once with a count
      var intents = report.intents();
      for (int i = 0; i < intents.size(); ) {
        int j = i;
        while (j < intents.size() && intents.get(j).equals(intents.get(i))) {
          j++;
        }
        out.println(
            "  " + (dryRun ? "would " : "") + (j - i > 1 ? (j - i) + " × " : "") + intents.get(i));
        i = j;
      }
      report.errors().forEach(e -> out.println("  error: " + e));
    }
  }

  @Command(
      name = "bench",
      mixinStandardHelpOptions = true,
      description =
          "Benchmark (not a test): replay a seeded synthetic batch workload on a running cluster"
              + " (e.g. `hpc-whisk local-cluster up --dir D`, then SLURM_CONF=D/slurm.conf or"
              + " --config with slurm.conf set), once without harvesting and once per policy, and"
              + " print for each the share of idle node-time held by pilots, batch wait compared"
              + " with no harvesting, pilot submissions and preemptions. Cancels every job of the"
              + " calling user between runs: use a cluster of its own.")
  static final class Bench implements Callable<Integer> {

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Configuration file (YAML); default as for run.")
    Path config;

    @Option(
        names = "--minutes",
        defaultValue = "10",
        description = "Length of each run (default: ${DEFAULT-VALUE}).")
    int minutes;

    @Option(
        names = "--seed",
        defaultValue = "42",
        description = "Workload seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
        names = "--mean-gap",
        defaultValue = "30s",
        description = "Mean time between batch submissions (default: ${DEFAULT-VALUE}).")
    String meanGap;

    @Option(
        names = "--scenarios",
        defaultValue = "none,fib,var,adaptive",
        split = ",",
        description =
            "Runs, in order; none = no harvesting (default: ${DEFAULT-VALUE}). Each is compared"
                + " with the first none, also job by job; a second none shows how far Slurm moves"
                + " jobs between identical runs.")
    List<String> scenarios;

    @Option(
        names = "--batch-partition",
        defaultValue = "batch",
        description = "Partition of the batch workload (default: ${DEFAULT-VALUE}).")
    String batchPartition;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Also write the Markdown table here.")
    Path out;

    @Option(
        names = "--real-pilot",
        description =
            "Run the real invoker pilot (config/pilot.sbatch) instead of the configured script:"
                + " starts an in-process balancer on a free loopback port (its data in a temporary"
                + " directory) that the pilots register with, as `hpc-whisk server` does.")
    boolean realPilot;

    @Override
    public Integer call() throws Exception {
      Run run = new Run();
      run.config = config;
      Path home = Run.home();
      HarvestConfig effective = run.effectiveConfig(home);
      WhiskServer server = null;
      Path data = null;
      try {
        HarvestBenchmark bench;
        if (realPilot) {
          data = Files.createTempDirectory("hpc-whisk-bench-");
          var cfg =
              ServerConfig.DEFAULT
                  .withApi(ServerConfig.DEFAULT.api().withPort(0).withExecutor("pilots"))
                  .withStore(ServerConfig.DEFAULT.store().withDataDir(data.toString()));
          server =
              WhiskServer.start(
                  cfg,
                  Optional.of(
                      WhiskServer.verifier(
                          cfg,
                          effective.slurm().binDir(),
                          effective.slurm().environment(),
                          effective.slurm().partition())),
                  VersionCommand.hpcWhiskVersion());
          var handOff =
              SystemServer.handOff(
                  server.pilotUrl(), server.pilotSubmissions().orElseThrow(), home);
          System.out.println(
              "real pilot: " + SystemServer.REAL_PILOT_SCRIPT + ", balancer " + server.pilotUrl());
          bench =
              new HarvestBenchmark(
                  effective,
                  home,
                  Duration.ofSeconds(2),
                  System.out,
                  (c, registry) ->
                      HarvestController.start(
                          SystemServer.withRealPilot(c), registry, home, report -> {}, handOff));
        } else {
          bench = new HarvestBenchmark(effective, home, Duration.ofSeconds(2), System.out);
        }
        String table =
            bench.runAll(
                seed,
                Duration.ofMinutes(minutes),
                Durations.parse(meanGap),
                scenarios,
                batchPartition);
        System.out.println();
        System.out.print(table);
        if (out != null) {
          Files.writeString(out, table);
        }
        return 0;
      } finally {
        if (server != null) {
          server.close();
        }
      }
    }
  }

  @Command(
      name = "load-bench",
      mixinStandardHelpOptions = true,
      description =
          "Benchmark (not a test): the controller's load on Slurm. Runs the controller's pass as a"
              + " dry run (reads and decides, submits nothing) paced as the controller paces it"
              + " (harvest.interval, backing off to harvest.idle-interval while nothing changes),"
              + " then polls the same cluster the way HPC-Whisk's job manager did (squeue every"
              + " 15 s) for as long, and prints per pass CPU ms (JVM thread and Slurm commands),"
              + " wall ms and bytes read, and per phase slurmctld's RPCs per second from sdiag"
              + " (before/after), with the ratios controller / baseline. Point it at a cluster"
              + " with SLURM_CONF or --config (slurm.conf).")
  static final class LoadBench implements Callable<Integer> {

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Configuration file (YAML); default as for run.")
    Path config;

    @Option(
        names = "--seconds",
        defaultValue = "600",
        description = "Length of each phase (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--interval", description = "Overrides harvest.interval (e.g. 1s).")
    String interval;

    @Option(
        names = "--idle-interval",
        description =
            "Overrides harvest.idle-interval (e.g. 30s; equal to --interval: no back-off).")
    String idleInterval;

    @Option(
        names = "--full-json",
        description =
            "Measure the old full read (sinfo --json + squeue --json --states=all, and squeue"
                + " --format=%i|%Y on 22.05) instead of the controller's filtered one.")
    boolean fullJson;

    @Option(
        names = "--baseline-interval",
        defaultValue = "15",
        description = "Seconds between two baseline polls (default: ${DEFAULT-VALUE}).")
    int baselineSeconds;

    @Override
    public Integer call() throws Exception {
      if (seconds < 1 || baselineSeconds < 1) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this),
            "--seconds and --baseline-interval must be at least 1 (got "
                + seconds
                + ", "
                + baselineSeconds
                + ")");
      }
      Run run = new Run();
      run.config = config;
      run.interval = interval;
      run.dryRun = true;
      HarvestConfig effective = run.effectiveConfig(Run.home());
      if (idleInterval != null) {
        effective =
            effective.with(
                HarvestConfig::harvest,
                effective
                    .harvest()
                    .with(HarvestConfig.Harvest::idleInterval, Durations.parse(idleInterval)));
      }
      new ControllerLoadBenchmark(
              new ControllerLoadBenchmark.Settings(
                  effective,
                  Duration.ofSeconds(seconds),
                  Duration.ofSeconds(baselineSeconds),
                  List.of("squeue"),
                  fullJson),
              System.out)
          .run();
      return 0;
    }
  }
}

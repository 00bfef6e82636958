package io.hpcwhisk.slurm.controller;

import io.hpcwhisk.configuration.PolicyParamsBinding;
import io.hpcwhisk.core.cluster.ClusterView;
import io.hpcwhisk.core.cluster.PilotOwner;
import io.hpcwhisk.core.cluster.SnapshotBuilder;
import io.hpcwhisk.core.harvest.ControllerPass;
import io.hpcwhisk.core.harvest.HarvestPolicies;
import io.hpcwhisk.core.harvest.HarvestPolicy;
import io.hpcwhisk.core.harvest.LongActionDemand;
import io.hpcwhisk.core.harvest.PassPacing;
import io.hpcwhisk.core.harvest.PassRules;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.time.Durations;
import io.hpcwhisk.slurm.cli.NodeGres;
import io.hpcwhisk.slurm.cli.PilotJobHandOff;
import io.hpcwhisk.slurm.cli.PilotJobSettings;
import io.hpcwhisk.slurm.cli.ProcessCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmCliFilteredView;
import io.hpcwhisk.slurm.cli.SlurmCliPilotLauncher;
import io.hpcwhisk.slurm.rest.SlurmRestClient;
import io.hpcwhisk.slurm.rest.SlurmRestClusterView;
import io.hpcwhisk.slurm.rest.SlurmRestPilotLauncher;
import io.hpcwhisk.slurm.rest.TokenFile;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The harvest controller: a {@link ReconcilePass} run on one thread every {@code harvest.interval},
 * less often while Slurm's answers stay the same ({@link PassPacing}). Start it with {@link
 * #start(HarvestConfig, MeterRegistry)}; {@link #close()} stops the loop (pilots keep running; a
 * restarted controller adopts them).
 */
public final class HarvestController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HarvestController.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final ReconcilePass pass;
  private final PassPacing pacing;
  private final Consumer<PassReport> onPass;
  private final ScheduledExecutorService loop;
  private Duration delay;
  private boolean woken;
  private long lastStart;
  private ScheduledFuture<?> next;

  private HarvestController(ReconcilePass pass, PassPacing pacing, Consumer<PassReport> onPass) {
    this.pass = pass;
    this.pacing = pacing;
    this.onPass = onPass;
    this.delay = pacing.interval();
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "hpc-whisk-harvest-" + INSTANCES.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.loop = executor;
  }

  /**
   * Starts the loop against the Slurm CLI. The pilot script path is resolved against {@code
   * HPC_WHISK_HOME} when set, else the working directory.
   */
  public static HarvestController start(HarvestConfig config, MeterRegistry registry) {
    String home = System.getenv("HPC_WHISK_HOME");
    return start(config, registry, home == null ? Path.of("") : Path.of(home));
  }

  /**
   * Starts the loop against the Slurm CLI, reading the pilot script relative to {@code baseDir}.
   */
  public static HarvestController start(
      HarvestConfig config, MeterRegistry registry, Path baseDir) {
    return start(config, registry, baseDir, report -> {});
  }

  /**
   * As {@link #start(HarvestConfig, MeterRegistry, Path)}, telling {@code onPass} about every pass.
   */
  public static HarvestController start(
      HarvestConfig config, MeterRegistry registry, Path baseDir, Consumer<PassReport> onPass) {
    return schedule(cliPass(config, registry, baseDir), config, onPass);
  }

  /**
   * As {@link #start(HarvestConfig, MeterRegistry, Path, Consumer)}, preparing every pilot job with
   * {@code handOff}: the server exports the balancer address and the path of a credential file, and
   * binds the credential to the job id {@code sbatch} answers.
   */
  public static HarvestController start(
      HarvestConfig config,
      MeterRegistry registry,
      Path baseDir,
      Consumer<PassReport> onPass,
      PilotJobHandOff handOff) {
    return schedule(cliPass(config, registry, baseDir, handOff), config, onPass);
  }

  /** Starts the loop against any cluster and launcher (a simulator model, a test fake). */
  public static HarvestController start(
      HarvestConfig config,
      MeterRegistry registry,
      ClusterView view,
      PilotLauncher launcher,
      InstantSource clock) {
    return schedule(
        pass(
            config, new HarvestMetrics(registry, config.harvest().policy()), view, launcher, clock),
        config,
        report -> {});
  }

  /** One pass wired to the Slurm CLI, without a loop (dry runs and {@code --once}). */
  public static ReconcilePass cliPass(HarvestConfig config, MeterRegistry registry, Path baseDir) {
    return cliPass(config, registry, baseDir, PilotJobHandOff.NONE);
  }

  /**
   * One pass wired to Slurm ({@code slurm.access}: the CLI, or slurmrestd) whose pilot jobs are
   * prepared by {@code handOff}.
   */
  public static ReconcilePass cliPass(
      HarvestConfig config, MeterRegistry registry, Path baseDir, PilotJobHandOff handOff) {
    HarvestMetrics metrics = new HarvestMetrics(registry, config.harvest().policy());
    var slurm = config.slurm();
    SlurmCli cli =
        new SlurmCli(
            slurm.binDir(),
            slurm.commandTimeout(),
            new ProcessCommandRunner(slurm.environment()),
            metrics);
    var job = config.harvest().pilotJob();
    PilotJobSettings settings =
        new PilotJobSettings(
            job.namePrefix(),
            slurm.account(),
            job.signal(),
            job.output(),
            job.readScript(baseDir),
            job.extraOptions(),
            job.environment());
    InstantSource clock = InstantSource.system();
    if (slurm.restAccess()) {
      // GPU-aware pilot shapes (--gres from sinfo) are read over the CLI only
      if (config.harvest().holdFreedNodes()) {
        throw new IllegalArgumentException(
            "harvest.hold-freed-nodes holds jobs with scontrol and needs slurm.access: cli");
      }
      SlurmRestClient client = restClient(slurm, metrics);
      LOG.info(
          "reaching Slurm through slurmrestd at {} (token file {})",
          client.base(),
          slurm.rest().tokenFile().orElseThrow());
      return pass(
          config,
          metrics,
          new SlurmRestClusterView(client, clock),
          new SlurmRestPilotLauncher(client, settings, handOff),
          clock);
    }
    NodeGres gres = new NodeGres();
    SlurmCliFilteredView view =
        new SlurmCliFilteredView(cli, clock, gres, config.slurm().partition(), pilotOwner(config));
    metrics.garbageLines(view, SlurmCliFilteredView::garbageLines);
    ReconcilePass pass =
        pass(config, metrics, view, new SlurmCliPilotLauncher(cli, settings, handOff, gres), clock);
    return config.harvest().holdFreedNodes()
        ? pass.holdingFreedNodes(new FreedNodeHolds(cli, pilotOwner(config)))
        : pass;
  }

  /**
   * The slurmrestd client of {@code slurm.rest} (reads the token file now: a file others can read
   * is refused).
   */
  public static SlurmRestClient restClient(HarvestConfig.Slurm slurm, SlurmCli.CallObserver calls) {
    return new SlurmRestClient(
        slurm.rest().url().orElseThrow(),
        System.getProperty("user.name"),
        new TokenFile(slurm.rest().tokenFile().orElseThrow()),
        slurm.commandTimeout(),
        SlurmRestClient.DEFAULT_MAX_BYTES,
        calls);
  }

  /** One pass against any cluster and launcher, without a loop (a simulator model, a test fake). */
  public static ReconcilePass pass(
      HarvestConfig config,
      MeterRegistry registry,
      ClusterView view,
      PilotLauncher launcher,
      InstantSource clock) {
    return pass(
        config, new HarvestMetrics(registry, config.harvest().policy()), view, launcher, clock);
  }

  static ReconcilePass pass(
      HarvestConfig config,
      HarvestMetrics metrics,
      ClusterView view,
      PilotLauncher launcher,
      InstantSource clock) {
    var harvest = config.harvest();
    HarvestPolicy policy =
        HarvestPolicies.create(
            PolicyParamsBinding.read(harvest.policy(), harvest.params(), "harvest.params"));
    PilotOwner owner = pilotOwner(config);
    ControllerPass decision =
        new ControllerPass(
            policy, new PassRules(harvest.expeditePreemption(), harvest.maxSubmissionsPerPass()));
    return new ReconcilePass(
        view,
        launcher,
        new SnapshotBuilder(config.slurm().target(), owner),
        decision,
        metrics,
        clock,
        owner,
        harvest.dryRun());
  }

  /**
   * Our pilots: jobs named with {@code harvest.pilot-job.name-prefix} and owned by the user this
   * controller submits as (its own account: sbatch runs as it).
   */
  static PilotOwner pilotOwner(HarvestConfig config) {
    return PilotOwner.of(config.harvest().pilotJob().namePrefix(), System.getProperty("user.name"));
  }

  private static HarvestController schedule(
      ReconcilePass pass, HarvestConfig config, Consumer<PassReport> onPass) {
    HarvestController controller = new HarvestController(pass, config.harvest().pacing(), onPass);
    controller.loop.execute(controller::runPass);
    LOG.info(
        "harvest controller started: policy {}, partition {}, every {} (up to {} while Slurm's"
            + " answers stay the same){}",
        config.harvest().policy(),
        config.slurm().partition(),
        Durations.format(config.harvest().interval()),
        Durations.format(config.harvest().idleInterval()),
        config.harvest().dryRun() ? " (dry run)" : "");
    return controller;
  }

  /**
   * One pass on the loop's only thread, then the next one scheduled by {@link PassPacing}: passes
   * never overlap, and the ticks a long pass overran are skipped and counted, not queued.
   */
  private void runPass() {
    try {
      passAndNext();
    } catch (RuntimeException e) {
      LOG.error("the harvest loop failed; no further pass is scheduled", e);
      throw e;
    }
  }

  private void passAndNext() {
    long started = System.nanoTime();
    synchronized (this) {
      lastStart = started;
      next = null;
    }
    boolean changed;
    try {
      PassReport report = pass.run();
      changed = pass.lastPassChanged();
      onPass.accept(report);
    } catch (RuntimeException | AssertionError | LinkageError e) {
      LOG.error("reconcile pass failed unexpectedly; the loop goes on", e);
      changed = true;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    synchronized (this) {
      long skipped = PassPacing.skipped(took, delay);
      if (skipped > 0) {
        pass.metrics().skippedPasses(skipped);
        LOG.warn(
            "a pass took {} ms, longer than the {} ms before the next: {} pass(es) skipped",
            took.toMillis(),
            delay.toMillis(),
            skipped);
      }
      delay = pacing.next(delay, changed || woken);
      woken = false;
      pass.metrics().passDelay(delay);
      if (!loop.isShutdown()) {
        Duration wait = delay.minus(took);
        next =
            loop.schedule(
                this::runPass, wait.isNegative() ? 0 : wait.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * A pilot event (a pilot registered or left): the next pass comes at the fast interval after the
   * last one started (at once when that is past), and the back-off starts over.
   */
  public synchronized void wake() {
    woken = true;
    delay = pacing.interval();
    if (next != null && !loop.isShutdown()) {
      long dueIn = lastStart + pacing.interval().toNanos() - System.nanoTime();
      if (next.getDelay(TimeUnit.NANOSECONDS) > Math.max(0, dueIn) && next.cancel(false)) {
        next = loop.schedule(this::runPass, Math.max(0, dueIn), TimeUnit.NANOSECONDS);
      }
    }
  }

  /** The wait after the pass that ran last (the fast interval, or longer while nothing changes). */
  public synchronized Duration currentDelay() {
    return delay;
  }

  /** Runs one pass now, outside the schedule (passes never overlap). */
  /**
   * Feeds the balancer's queue to every pass from now on: the longest timeout of a waiting
   * activation ({@link io.hpcwhisk.core.harvest.LongActionDemand}).
   */
  public HarvestController withDemand(Supplier<LongActionDemand.Demand> demand) {
    pass.withDemand(demand);
    return this;
  }

  public PassReport runOnce() {
    return pass.run();
  }

  /** Stops the loop, waiting for a running pass to finish. Pilots are left running. */
  @Override
  public void close() {
    synchronized (this) {
      loop.shutdown();
      if (next != null) {
        next.cancel(false);
      }
    }
    try {
      if (!loop.awaitTermination(1, TimeUnit.MINUTES)) {
        LOG.warn("the running pass did not end within a minute; the loop is stopped anyway");
        loop.shutdownNow();
      }
      LOG.info("harvest controller stopped");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      loop.shutdownNow();
    }
  }
}

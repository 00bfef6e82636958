package io.hpcwhisk.slurm.controller;

import io.hpcwhisk.core.cluster.ClusterView;
import io.hpcwhisk.core.cluster.PilotOwner;
import io.hpcwhisk.core.cluster.SnapshotBuilder;
import io.hpcwhisk.core.harvest.ControllerPass;
import io.hpcwhisk.core.harvest.HarvestPolicies;
import io.hpcwhisk.core.harvest.HarvestPolicy;
import io.hpcwhisk.core.harvest.PassRules;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.time.Durations;
import io.hpcwhisk.slurm.cli.PilotJobHandOff;
import io.hpcwhisk.slurm.cli.PilotJobSettings;
import io.hpcwhisk.slurm.cli.ProcessCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmCliClusterView;
import io.hpcwhisk.slurm.cli.SlurmCliPilotLauncher;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The harvest controller: a {@link ReconcilePass} run by Quartz every {@code harvest.interval}.
 * Start it with {@link #start(HarvestConfig, MeterRegistry)}; {@link #close()} stops the loop
 * (pilots keep running; a restarted controller adopts them).
 */
public final class HarvestController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HarvestController.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final String PASS_KEY = "pass";

  private final ReconcilePass pass;
  private final Scheduler scheduler;

  private HarvestController(ReconcilePass pass, Scheduler scheduler) {
    this.pass = pass;
    this.scheduler = scheduler;
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

  /** One pass wired to the Slurm CLI whose pilot jobs are prepared by {@code handOff}. */
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
    ReconcilePass pass =
        pass(
            config,
            metrics,
            new SlurmCliClusterView(cli, clock),
            new SlurmCliPilotLauncher(cli, settings, handOff),
            clock);
    return config.harvest().holdFreedNodes()
        ? pass.holdingFreedNodes(new FreedNodeHolds(cli, pilotOwner(config)))
        : pass;
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
    HarvestPolicy policy = HarvestPolicies.create(harvest.policy(), harvest.params());
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
    Properties props = new Properties();
    props.setProperty(
        "org.quartz.scheduler.instanceName", "hpc-whisk-harvest-" + INSTANCES.incrementAndGet());
    props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    props.setProperty("org.quartz.threadPool.threadCount", "1");
    props.setProperty("org.quartz.threadPool.threadNamePrefix", "hpc-whisk-harvest");
    props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    try {
      Scheduler scheduler = new StdSchedulerFactory(props).getScheduler();
      JobDataMap data = new JobDataMap();
      data.put(PASS_KEY, (Runnable) () -> onPass.accept(pass.run()));
      scheduler.scheduleJob(
          JobBuilder.newJob(ReconcileJob.class)
              .withIdentity("reconcile", "harvest")
              .usingJobData(data)
              .build(),
          TriggerBuilder.newTrigger()
              .withIdentity("every-interval", "harvest")
              .startNow()
              .withSchedule(
                  SimpleScheduleBuilder.simpleSchedule()
                      .withIntervalInMilliseconds(config.harvest().interval().toMillis())
                      .repeatForever()
                      .withMisfireHandlingInstructionNextWithRemainingCount())
              .build());
      scheduler.start();
      LOG.info(
          "harvest controller started: policy {}, partition {}, every {}{}",
          config.harvest().policy(),
          config.slurm().partition(),
          Durations.format(config.harvest().interval()),
          config.harvest().dryRun() ? " (dry run)" : "");
      return new HarvestController(pass, scheduler);
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot start the harvest loop: " + e.getMessage(), e);
    }
  }

  /** Runs one pass now, outside the schedule (passes never overlap). */
  public PassReport runOnce() {
    return pass.run();
  }

  /** Stops the loop, waiting for a running pass to finish. Pilots are left running. */
  @Override
  public void close() {
    try {
      scheduler.shutdown(true);
      LOG.info("harvest controller stopped");
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot stop the harvest loop: " + e.getMessage(), e);
    }
  }

  /**
   * The Quartz job: runs the pass; a pass never throws for Slurm trouble, anything else is logged
   * and survived.
   */
  @DisallowConcurrentExecution
  public static final class ReconcileJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      Runnable pass = (Runnable) context.getMergedJobDataMap().get(PASS_KEY);
      try {
        pass.run();
      } catch (RuntimeException e) {
        LOG.error("reconcile pass failed unexpectedly; the loop goes on", e);
      }
    }
  }
}

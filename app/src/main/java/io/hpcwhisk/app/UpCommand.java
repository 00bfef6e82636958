package io.hpcwhisk.app;

import io.hpcwhisk.core.time.Durations;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hpc-whisk up}: the whole system on one machine, with a live dashboard, until Ctrl-C. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description =
        "Start the whole system on this machine: a local Slurm cluster, the server (OpenWhisk API,"
            + " balancer, harvest controller submitting real pilot jobs), the guest namespace with"
            + " OpenWhisk's well-known key and two demo actions, and a seeded demo batch workload"
            + " that leaves gaps. Shows a live dashboard until Ctrl-C or SIGTERM, then stops"
            + " everything it started. Run as root on a fresh machine (it installs Slurm when"
            + " missing).")
final class UpCommand implements Callable<Integer> {

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      defaultValue = "${sys:user.home}/.hpc-whisk/up",
      description = "State directory: cluster, data, pilot logs (default ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--nodes",
      defaultValue = "4",
      description = "Nodes of the local cluster (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = "--port",
      defaultValue = "3233",
      description = "Port of the API (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--policy",
      defaultValue = "adaptive",
      description = "Harvest policy: fib, var or adaptive (default ${DEFAULT-VALUE}).")
  String policy;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of the demo batch workload (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--mean-gap",
      defaultValue = "75s",
      description = "Mean time between demo batch jobs (default ${DEFAULT-VALUE}).")
  String meanGap;

  @Option(
      names = "--isolated-nodes",
      description =
          "Run each node's slurmd (and so its pilots) in its own network namespace on a private"
              + " subnet (see local-cluster up --isolated-nodes); the server listens for pilots on"
              + " that network's host-side address, the API on 127.0.0.1 and there (actions on the"
              + " nodes call it there; the guest key works on 127.0.0.1 only). Needs root.")
  boolean isolatedNodes;

  @Option(
      names = "--tls",
      description =
          "HTTPS for the API and WSS for pilots: makes a local CA in DIR/tls (0700; keys 0600) and"
              + " a server certificate for the addresses used, and prints 'CA certificate: PATH'"
              + " for clients (curl --cacert, NODE_EXTRA_CA_CERTS).")
  boolean tls;

  @Option(
      names = "--slurm",
      paramLabel = "VERSION",
      defaultValue = "22.05",
      description =
          "Slurm series of the local cluster: 22.05 (default, the host's packages) or 24.11 (a"
              + " chrooted Debian 13 root, built once into /var/cache/hpc-whisk/slurm-24.11; pilots"
              + " run on its Java 21).")
  String slurmVersion;

  @Option(
      names = "--rest",
      description =
          "The controller reads Slurm and submits pilots through the cluster's slurmrestd (JWT"
              + " token file of the cluster, mode 0600) instead of sinfo/squeue/sbatch; needs"
              + " --slurm 24.11.")
  boolean rest;

  @Option(
      names = "--no-workload",
      description = "No demo batch workload: the cluster stays quiet (all idle).")
  boolean noWorkload;

  @Option(
      names = "--for",
      paramLabel = "DURATION",
      description =
          "Run this long (e.g. 5m), printing a frame every second, then stop (non-interactive"
              + " use).")
  String forDuration;

  @Option(
      names = "--once",
      description =
          "Wait until the system is live (a pilot registered, a demo invoke answered), print one"
              + " frame and the examples, stop everything and exit (0 = live).")
  boolean once;

  @Option(
      names = "--ha",
      paramLabel = "N",
      description =
          "High availability: instead of one server in this process, a private PostgreSQL 15, N"
              + " (at least 2) hpc-whisk server processes on 127.0.0.2 .. 127.0.0.(N+1) sharing it"
              + " (store.kind postgres; the harvest controller runs in the elected leader only) and"
              + " HAProxy on 127.0.0.1:PORT in front with health checks. Prints 'server K: pid P"
              + " url U' per server and 'front: URL'; a server that dies after it answered is"
              + " restarted and printed again. Needs root, postgresql and haproxy"
              + " (bin/install-deps); not with --tls or --isolated-nodes.")
  Integer ha;

  @Option(
      names = "--live-timeout",
      defaultValue = "240s",
      description = "With --once: how long to wait for the live state (default ${DEFAULT-VALUE}).")
  String liveTimeout;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1) {
      throw new IllegalArgumentException("--nodes must be at least 1, got " + nodes);
    }
    if (rest && !"24.11".equals(slurmVersion)) {
      throw new IllegalArgumentException(
          "--rest needs --slurm 24.11 (slurmrestd with JWT), got --slurm " + slurmVersion);
    }
    PrintStream out = System.out;
    Path home = ControllerCommand.Run.home();
    if (ha != null) {
      return runHa(out, home);
    }
    Files.createDirectories(dir);
    Path log = dir.toAbsolutePath().resolve("up.log");
    logToFile(log); // the live screen stays readable; the server's and controller's log go there
    out.println("hpc-whisk up: log in " + log);
    UpSession session =
        new UpSession(
            new UpSession.Settings(
                dir.toAbsolutePath(),
                nodes,
                port,
                policy,
                seed,
                !noWorkload,
                Durations.parse(meanGap),
                home,
                isolatedNodes,
                tls,
                slurmVersion,
                rest),
            out);
    AtomicBoolean closed = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Runnable stop =
        () -> {
          if (closed.compareAndSet(false, true)) {
            out.println("hpc-whisk up: stopping everything it started ...");
            session.close();
            out.println("hpc-whisk up: stopped.");
          }
          done.countDown();
        };
    Thread hook = new Thread(stop, "hpc-whisk-up-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      session.start();
      out.println(session.examples());
      if (once) {
        return awaitLive(session, out, Durations.parse(liveTimeout)) ? 0 : 1;
      }
      boolean tty = System.console() != null && forDuration == null;
      Instant end =
          forDuration == null ? Instant.MAX : Instant.now().plus(Durations.parse(forDuration));
      String examples = session.examples();
      String host = session.apiHost();
      while (Instant.now().isBefore(end) && !closed.get()) {
        UpDashboard.Frame f;
        try {
          f = session.sample();
        } catch (RuntimeException e) {
          if (closed.get()) {
            break; // stopping: Slurm and the server are going away under the sampler
          }
          out.println("hpc-whisk up: sample failed (" + e.getMessage() + "); retrying");
          done.await(1, TimeUnit.SECONDS);
          continue;
        }
        String screen =
            UpDashboard.render(
                f,
                "HPC-Whisk up: "
                    + host
                    + "   policy "
                    + policy
                    + "   "
                    + f.at().toString().substring(11, 19)
                    + " UTC   (Ctrl-C stops everything)");
        out.print(tty ? "\033[H\033[2J" + screen + "\n" + examples : screen);
        out.flush();
        done.await(1, TimeUnit.SECONDS);
      }
      if (closed.get()) {
        done.await(); // a signal's hook is stopping things: let it finish
      }
      return 0;
    } finally {
      if (done.getCount() > 0) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down: the hook runs
        }
        stop.run();
      }
    }
  }

  /** {@code --ha N}: starts a {@link HaSession}, waits for --for or a signal, stops it. */
  private int runHa(PrintStream out, Path home) throws Exception {
    if (ha < 2) {
      throw new IllegalArgumentException("--ha must be at least 2 (servers), got " + ha);
    }
    if (ha > 250) {
      throw new IllegalArgumentException(
          "--ha must be at most 250 (addresses 127.0.0.2 .. 127.0.0.251), got " + ha);
    }
    if (tls || isolatedNodes) {
      throw new IllegalArgumentException(
          "--ha does not combine with --tls or --isolated-nodes (yet): start it without them");
    }
    Files.createDirectories(dir);
    Path log = dir.toAbsolutePath().resolve("up.log");
    logToFile(log);
    out.println("hpc-whisk up: log in " + log);
    HaSession session =
        new HaSession(
            new HaSession.Settings(
                dir.toAbsolutePath(), ha, nodes, port, policy, home, slurmVersion),
            out);
    AtomicBoolean closed = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Runnable stop =
        () -> {
          if (closed.compareAndSet(false, true)) {
            out.println("hpc-whisk up: stopping everything it started ...");
            session.close();
            out.println("hpc-whisk up: stopped.");
          }
          done.countDown();
        };
    Thread hook = new Thread(stop, "hpc-whisk-up-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      session.start();
      out.println(
          "hpc-whisk up: "
              + ha
              + " servers behind "
              + session.frontUrl()
              + "; try: curl -s -u "
              + UpSession.guestAuth()
              + " "
              + session.frontUrl()
              + "/api/v1/namespaces/guest/actions");
      out.flush();
      if (once) {
        return 0;
      }
      if (forDuration == null) {
        done.await();
      } else {
        done.await(Durations.parse(forDuration).toMillis(), TimeUnit.MILLISECONDS);
      }
      return 0;
    } finally {
      if (done.getCount() > 0) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down: the hook runs
        }
        stop.run();
      } else if (closed.get()) {
        done.await();
      }
    }
  }

  /** Sends the logback root logger to {@code file} instead of stderr. */
  static void logToFile(Path file) {
    if (!(LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx)) {
      return;
    }
    var encoder = new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
    encoder.start();
    var appender = new ch.qos.logback.core.FileAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    appender.setContext(ctx);
    appender.setName("UP-FILE");
    appender.setFile(file.toString());
    appender.setEncoder(encoder);
    appender.start();
    var root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }

  /**
   * Waits for a registered pilot and a demo invoke answered with the greeting; prints the frame and
   * the answers.
   */
  static boolean awaitLive(UpSession session, PrintStream out, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    UpDashboard.Frame frame = session.sample();
    while (Instant.now().isBefore(deadline)) {
      frame = session.sample();
      if (frame.registered() > 0) {
        break;
      }
      Thread.sleep(1000);
    }
    if (frame.registered() == 0) {
      out.println(UpDashboard.render(frame, "hpc-whisk up: no pilot registered within " + timeout));
      return false;
    }
    boolean ok = true;
    for (String action : UpSession.DEMO_ACTIONS) {
      var r = session.invoke(action, "{\"name\":\"Slurm\"}");
      out.println("hpc-whisk up: invoke " + action + " -> HTTP " + r.statusCode() + " " + r.body());
      ok &= r.statusCode() == 200 && r.body().contains("Hello, Slurm!");
    }
    out.print(UpDashboard.render(session.sample(), "hpc-whisk up: " + (ok ? "live" : "NOT live")));
    return ok;
  }
}

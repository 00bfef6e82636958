package io.hpcwhisk.balancer.dispatch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.ActionLimits;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.balancer.metrics.BalancerMetrics;
import io.hpcwhisk.balancer.pilots.PilotAdmission;
import io.hpcwhisk.balancer.pilots.PilotConnection;
import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.balancer.pilots.PilotEvents;
import io.hpcwhisk.balancer.pilots.PilotJobVerifier;
import io.hpcwhisk.balancer.store.InMemoryPilotBindingStore;
import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A dispatcher on a hand-driven clock with fake pilot connections that record what they are sent.
 */
final class DispatcherFixture {

  final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  final PilotCredentials credentials = new PilotCredentials("0123456789abcdef0123".getBytes());
  final BalancerMetrics metrics = BalancerMetrics.inMemory();
  final InMemoryPilotBindingStore bindings = new InMemoryPilotBindingStore();
  final PilotDispatcher dispatcher;
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();

  DispatcherFixture() {
    this(ServerConfig.Pilots.DEFAULT);
  }

  DispatcherFixture(ServerConfig.Pilots settings) {
    dispatcher =
        new PilotDispatcher(
            settings,
            new PilotAdmission(
                credentials,
                bindings,
                PilotJobVerifier.unverified("dispatcher unit tests: fake pilots, no Slurm"),
                clock),
            clock,
            () -> "http://127.0.0.1:1",
            metrics);
  }

  /** A hand-issued credential for {@code job}, valid for a day of the fixture's clock. */
  String jobToken(String job) {
    return credentials.forJob(job, clock.instant().plusSeconds(86_400));
  }

  void advance(long ms) {
    now.addAndGet(ms);
    dispatcher.tick();
  }

  /** A fake pilot connection. */
  final class FakePilot implements PilotConnection {
    final String id;
    final String job;

    /**
     * Tells this connection apart from others of the same pilot id (put into its results as
     * "conn").
     */
    final int serial = connections.incrementAndGet();

    final List<BalancerMessage> sent = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    FakePilot(String job) {
      this.job = job;
      this.id = "slurm-" + job;
    }

    List<String> pings() {
      return sent.stream()
          .filter(m -> m instanceof BalancerMessage.Ping)
          .map(m -> ((BalancerMessage.Ping) m).nonce())
          .toList();
    }

    void started(String activationId) {
      dispatcher.message(id, this, new PilotMessage.Started(activationId, now.get()));
    }

    /** Hands back with a per-activation started flag. */
    void handBack(boolean started, String... activationIds) {
      dispatcher.message(
          id,
          this,
          new PilotMessage.HandBack(
              Arrays.stream(activationIds)
                  .map(a -> new PilotMessage.HandBack.Item(a, started))
                  .toList(),
              "pilot left before they finished"));
    }

    /** Reports that it could not start the runtime (a whisk error with the runtime-start fault). */
    void runtimeStartFailed(String activationId) {
      long t = now.get();
      ActivationOutcome outcome =
          new ActivationOutcome(
              activationId,
              ActivationStatus.WHISK_ERROR,
              JsonNodeFactory.instance
                  .objectNode()
                  .put(
                      "error",
                      "The pilot could not start the nodejs:20 runtime: mkfifo"
                          + " /tmp/x/fd3 failed: File exists"),
              List.of(),
              t,
              t,
              0,
              0,
              false);
      dispatcher.message(
          id,
          this,
          new PilotMessage.Completed(outcome, PilotMessage.Completed.FAULT_RUNTIME_START));
    }

    /** Delivers a message given as wire JSON (a golden sample). */
    void sendRaw(String json) {
      dispatcher.message(id, this, PilotProtocol.decodePilotMessage(json));
    }

    @Override
    public void send(BalancerMessage message) {
      sent.add(message);
    }

    @Override
    public void close(int code, String reason) {
      closed = true;
    }

    @Override
    public boolean isOpen() {
      return !closed;
    }

    @Override
    public String remote() {
      return "fake";
    }

    List<String> activated() {
      return sent.stream()
          .filter(m -> m instanceof BalancerMessage.Activate)
          .map(m -> ((BalancerMessage.Activate) m).request().activationId())
          .toList();
    }

    List<String> cancelled() {
      return sent.stream()
          .filter(m -> m instanceof BalancerMessage.Cancel)
          .map(m -> ((BalancerMessage.Cancel) m).activationId())
          .toList();
    }

    void accept(String activationId) {
      dispatcher.message(id, this, new PilotMessage.Accepted(activationId));
    }

    void complete(String activationId) {
      long t = now.get();
      dispatcher.message(
          id,
          this,
          new PilotMessage.Completed(
              new ActivationOutcome(
                  activationId,
                  ActivationStatus.SUCCESS,
                  JsonNodeFactory.instance.objectNode().put("by", id).put("conn", serial),
                  List.of(),
                  t,
                  t,
                  0,
                  0,
                  false)));
    }

    void heartbeat() {
      dispatcher.message(
          id, this, new PilotMessage.Heartbeat(1, now.get(), 0, 0, Map.of(), false, null));
    }

    void drain() {
      dispatcher.message(id, this, new PilotMessage.Draining("SIGTERM", now.get() + 8000));
    }

    void lose() {
      closed = true;
      dispatcher.closed(id, this, "connection closed (1006)");
    }
  }

  /**
   * Registers a new connection for {@code job} with that job's credential, as a pilot reconnecting
   * (or an impostor).
   */
  FakePilot connect(String job, int memoryMb) throws PilotEvents.Refusal {
    FakePilot p = new FakePilot(job);
    dispatcher.register(p, register(p.id, job, memoryMb, now.get() + 3_600_000), jobToken(job));
    return p;
  }

  FakePilot pilot(String job, int memoryMb) throws PilotEvents.Refusal {
    return pilot(job, memoryMb, now.get() + 3_600_000);
  }

  /** A pilot announcing this protocol's minor (reports started, answers ping), ready for work. */
  FakePilot pilot(String job, int memoryMb, long deadlineMs) throws PilotEvents.Refusal {
    FakePilot p = new FakePilot(job);
    dispatcher.register(p, register(p.id, job, memoryMb, deadlineMs), jobToken(job));
    p.heartbeat(); // ready for work from its first heartbeat on
    return p;
  }

  PilotMessage.Register register(String pilotId, String job, int memoryMb, long deadlineMs) {
    return new PilotMessage.Register(
        pilotId,
        job,
        "n1",
        2,
        memoryMb,
        List.of("nodejs:20", "python:3"),
        Map.of(),
        deadlineMs,
        now.get(),
        0,
        "test",
        PilotProtocol.MINOR);
  }

  RunRequest request(String namespace, boolean retrySafe) {
    return request(namespace, retrySafe, 256);
  }

  RunRequest request(String namespace, boolean retrySafe, int memoryMb) {
    return request(String.format("%032x", ids.incrementAndGet()), namespace, retrySafe, memoryMb);
  }

  RunRequest request(String id, String namespace, boolean retrySafe, int memoryMb) {
    return new RunRequest(
        id,
        namespace,
        EntityPath.of(namespace, "hello"),
        "0.0.1",
        new Exec("nodejs:20", "function main(){return {}}", false, null, null, null),
        new ActionLimits(60_000, memoryMb, 10, 1),
        JsonNodeFactory.instance.objectNode(),
        null,
        now.get() + 60_000,
        retrySafe);
  }

  CompletableFuture<RunOutcome> dispatch(RunRequest request) {
    return dispatcher.dispatch(request);
  }

  /** A counter from the registry by name and one tag (0 if absent). */
  double counter(String name, String tag, String value) {
    var c = metrics.registry().find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  double counter(String name) {
    var c = metrics.registry().find(name).counter();
    return c == null ? 0 : c.count();
  }

  /** How many activations ended, over all outcomes. */
  double ended() {
    return metrics.registry().find("whisk_activations").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }
}

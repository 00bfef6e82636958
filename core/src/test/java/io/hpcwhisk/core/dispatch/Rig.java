package io.hpcwhisk.core.dispatch;

import io.hpcwhisk.core.health.HealthPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A test rig: one machine and its state on a hand-driven clock, recording every effect. */
final class Rig {

  /** A pilot connection: compared by identity, as the machine does. */
  static final class Link {
    final String pilotId;
    final int serial;

    Link(String pilotId, int serial) {
      this.pilotId = pilotId;
      this.serial = serial;
    }

    @Override
    public String toString() {
      return pilotId + "#" + serial;
    }
  }

  static final DispatchPolicy POLICY =
      new DispatchPolicy(HealthPolicy.DEFAULT, 2000, 10_000, 1000, 60_000, 3);

  final DispatchMachine<Link> machine;
  final DispatchState<Link> state;
  final List<DispatchEffect<Link>> effects = new ArrayList<>();
  long nowMs = 1_700_000_000_000L;
  private int serials;

  Rig() {
    this(POLICY);
  }

  Rig(DispatchPolicy policy) {
    machine = new DispatchMachine<>(policy);
    state = machine.initial();
  }

  /** Feeds one event now; returns its effects (also appended to {@link #effects}). */
  List<DispatchEffect<Link>> on(DispatchEvent<Link> event) {
    List<DispatchEffect<Link>> out =
        machine.next(state, event, Instant.ofEpochMilli(nowMs)).effects();
    effects.addAll(out);
    return out;
  }

  List<DispatchEffect<Link>> advance(long ms) {
    nowMs += ms;
    return on(new DispatchEvent.Tick<>());
  }

  static Activation activation(String id, boolean retrySafe, int memoryMb, long createdMs) {
    return new Activation(
        id, "alice", "/alice/hello@0.0.1", "nodejs:20", memoryMb, 60_000, retrySafe, createdMs);
  }

  List<DispatchEffect<Link>> submit(String id, boolean retrySafe) {
    return on(new DispatchEvent.Submitted<>(activation(id, retrySafe, 256, nowMs)));
  }

  /**
   * Registers pilot {@code slurm-<job>} (protocol minor 1) over a fresh connection and heartbeats
   * once.
   */
  Link pilot(String job, int memoryMb) {
    Link link = new Link("slurm-" + job, ++serials);
    on(
        new DispatchEvent.Registered<>(
            new PilotSpec(
                link.pilotId,
                job,
                memoryMb,
                List.of("nodejs:20"),
                Map.of(),
                nowMs + 3_600_000,
                null,
                1),
            link,
            false));
    heartbeat(link);
    return link;
  }

  void heartbeat(Link link) {
    on(new DispatchEvent.Heartbeat<>(link.pilotId, link, Map.of(), false));
  }

  List<DispatchEffect<Link>> accept(Link link, String id) {
    return on(new DispatchEvent.Accepted<>(link.pilotId, link, id));
  }

  List<DispatchEffect<Link>> start(Link link, String id) {
    return on(new DispatchEvent.Started<>(link.pilotId, link, id));
  }

  List<DispatchEffect<Link>> complete(Link link, String id) {
    return on(new DispatchEvent.Completed<>(link.pilotId, link, id, "success", false, null));
  }

  List<DispatchEffect<Link>> lose(Link link) {
    return on(new DispatchEvent.Closed<>(link.pilotId, link, "connection closed (1006)"));
  }

  /** The activation ids sent to {@code link}, in order. */
  List<String> sentTo(Link link) {
    return effects.stream()
        .filter(e -> e instanceof DispatchEffect.Activate<Link> a && a.to() == link)
        .map(e -> ((DispatchEffect.Activate<Link>) e).activationId())
        .toList();
  }

  /** The terminal effects given out for {@code id}. */
  List<DispatchEffect.Complete<Link>> ends(String id) {
    return effects.stream()
        .filter(e -> e instanceof DispatchEffect.Complete<Link> c && c.activationId().equals(id))
        .map(e -> (DispatchEffect.Complete<Link>) e)
        .toList();
  }
}

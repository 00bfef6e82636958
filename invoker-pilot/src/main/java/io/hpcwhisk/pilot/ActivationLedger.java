package io.hpcwhisk.pilot;

import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.protocol.PilotMessage;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A pilot's bookkeeping of the activations it holds (queued, running, started, owed
 * acknowledgements, recent cancels, the drain) and the decisions over it, which {@link
 * InvokerPilot} sends.
 *
 * <p>Thread-safety: every method holds {@code lock}, the owning pilot's one monitor (which it also
 * holds where it reads the drain state together with its connection), so each call is one atomic
 * step; the pilot calls it from the WebSocket client's thread, its timer thread, its worker threads
 * and the SIGTERM handler.
 */
final class ActivationLedger {

  /** How many cancelled ids are remembered. */
  static final int CANCELLED_REMEMBERED = 10_000;

  /** What became of an arriving activation. */
  enum Arrival {
    /** Queued: acknowledge it and start what fits. */
    QUEUED,
    /** Sent again while held here (queued or running): acknowledge it, never run it twice. */
    DUPLICATE,
    /** Its cancel came first: dropped. */
    CANCELLED,
    /** The pilot drains or has left: hand it back. */
    REFUSED
  }

  /** Whether an activation runs once its runtime is ready. */
  enum Begin {
    /** Cancelled meanwhile, or no longer held (the pilot left): not run. */
    SKIP,
    /** Runs; a {@code started} is written now. */
    RUN,
    /**
     * Runs; retry-safe and not acknowledged yet: its start is reported only with the owed
     * acknowledgements.
     */
    RUN_REPORT_LATER
  }

  /** Acknowledgements due: {@code accepted} for these ids, and these {@code started}. */
  record OwedAcks(List<String> accepted, List<PilotMessage.Started> started) {}

  /**
   * A run ended: whether it was still held here, whether it had started, whether the pilot drains.
   */
  record Finished(boolean mine, boolean hadStarted, boolean draining) {}

  /** The heartbeat's view: memory free, activations held (queued and running), draining. */
  record Load(int freeMemoryMb, int busy, boolean draining) {}

  private final Object lock;
  private final int memoryMb;
  private final BooleanSupplier left;

  private final Deque<ActivationRequest> queued = new ArrayDeque<>();
  private final Map<String, ActivationRequest> running = new LinkedHashMap<>();

  /** Running activations whose runtime began running them. */
  private final Set<String> started = new HashSet<>();

  /**
   * Recently cancelled activation ids (bounded): a not-yet-started one is dropped, also if it
   * arrives later.
   */
  private final Set<String> cancelled =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > CANCELLED_REMEMBERED;
            }
          });

  /**
   * Ids that arrived here recently (bounded as {@link #cancelled}): a cancel for one of them that
   * is no longer held withdraws that earlier copy, not a later one. Without this, a cancel that
   * came after the pilot had finished an activation (the balancer's acknowledgement wait ran out
   * first, on a starved node) was remembered and silently dropped the balancer's next send of the
   * same id to this pilot, which then timed out again and was cancelled again: in a cold burst on 2
   * loaded cores, an activation went back and forth 15 times and failed.
   */
  private final Set<String> arrived =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > CANCELLED_REMEMBERED;
            }
          });

  /**
   * Acknowledgements not sent yet, id to when the activation arrived (System.nanoTime). The
   * balancer takes {@code started} (and {@code completed}) as the acknowledgement, so an activation
   * that starts at once costs no {@code accepted} frame; one still waiting after the
   * acknowledgement delay (queued, cold runtime starting) is acknowledged then.
   */
  private final Map<String, Long> owedAcks = new LinkedHashMap<>();

  /** The arrival time meaning that no acknowledgement is owed (for callers that track none). */
  static final long NOT_OWED = Long.MIN_VALUE;

  /** Retry-safe activations started and not yet reported (id to epoch ms of the start). */
  private final Map<String, Long> unreportedStarts = new HashMap<>();

  private int memoryInUseMb;
  private boolean draining;
  private Instant leaveBy = Instant.MAX;

  /**
   * @param memoryMb the pilot's memory: what the running activations' limits may sum to
   * @param left whether the pilot has left (read holding the lock; nothing is accepted then)
   * @param lock the monitor every method holds: the owning pilot's
   */
  ActivationLedger(int memoryMb, BooleanSupplier left, Object lock) {
    this.memoryMb = memoryMb;
    this.left = Objects.requireNonNull(left, "left");
    this.lock = Objects.requireNonNull(lock, "lock");
  }

  /**
   * An activation arrived: queued unless a duplicate, cancelled before it arrived, or refused while
   * draining.
   */
  Arrival arrive(ActivationRequest request) {
    return arrive(request, NOT_OWED);
  }

  /**
   * As {@link #arrive(ActivationRequest)}, and when queued, an acknowledgement is owed for it since
   * {@code arrivedNanos} (System.nanoTime), recorded in the same step, so a worker cannot start and
   * finish it in between and leave an owed acknowledgement behind ({@link #NOT_OWED}: none is
   * owed).
   */
  Arrival arrive(ActivationRequest request, long arrivedNanos) {
    String id = request.activationId();
    synchronized (lock) {
      if (holds(id)) {
        cancelled.remove(id); // wanted here again: let the copy it holds run
        return Arrival.DUPLICATE;
      }
      if (cancelled.remove(id)) {
        return Arrival.CANCELLED;
      }
      if (draining || left.getAsBoolean()) {
        return Arrival.REFUSED;
      }
      queued.addLast(request);
      arrived.add(id);
      if (arrivedNanos != NOT_OWED) {
        owedAcks.put(id, arrivedNanos);
      }
      return Arrival.QUEUED;
    }
  }

  /**
   * The acknowledgements owed for at least {@code delayNanos} at {@code nowNanos}, forgotten here:
   * a deferred start of one still running, else {@code accepted} for one still waiting (queued, or
   * running and not started). One that has ended or left owes nothing.
   */
  OwedAcks takeOwedAcks(long nowNanos, long delayNanos) {
    List<String> accepted = new ArrayList<>();
    List<PilotMessage.Started> starts = new ArrayList<>();
    synchronized (lock) {
      for (var it = owedAcks.entrySet().iterator(); it.hasNext(); ) {
        var owed = it.next();
        if (nowNanos - owed.getValue() < delayNanos) {
          break; // in arrival order: the rest are younger
        }
        it.remove();
        String id = owed.getKey();
        Long startedAt = unreportedStarts.remove(id);
        if (startedAt != null && running.containsKey(id)) {
          starts.add(new PilotMessage.Started(id, startedAt));
        } else if (running.containsKey(id) && !started.contains(id) || isQueued(id)) {
          accepted.add(id);
        }
      }
    }
    return new OwedAcks(accepted, starts);
  }

  /**
   * Moves queued activations to running, in order, while their memory fits; {@code run} is called
   * for each, holding the lock (it must not block: the pilot hands it to its worker pool). Returns
   * those that can never fit (more memory than the pilot has), taken off the queue.
   */
  List<ActivationRequest> startWhatFits(Consumer<ActivationRequest> run) {
    List<ActivationRequest> tooLarge = new ArrayList<>();
    synchronized (lock) {
      while (!queued.isEmpty()) {
        ActivationRequest next = queued.peekFirst();
        int memory = next.limits().memoryMb();
        if (memory > memoryMb) {
          queued.pollFirst();
          tooLarge.add(next);
          continue;
        }
        if (memoryInUseMb + memory > memoryMb) {
          break;
        }
        queued.pollFirst();
        memoryInUseMb += memory;
        running.put(next.activationId(), next);
        run.accept(next);
      }
    }
    return tooLarge;
  }

  /**
   * Just before the runtime runs it: skipped if cancelled meanwhile or no longer held, else
   * started. A retry-safe one whose acknowledgement the balancer is still owed reports its start
   * later (at {@code nowMs}); otherwise the start acknowledges it.
   */
  Begin begin(ActivationRequest request, long nowMs) {
    String id = request.activationId();
    synchronized (lock) {
      if (cancelled.remove(id) || !running.containsKey(id)) {
        return Begin.SKIP;
      }
      started.add(id);
      if (request.retrySafe() && owedAcks.containsKey(id)) {
        // reported only if it runs past the acknowledgement delay; 'completed' acknowledges a short
        // one
        unreportedStarts.put(id, nowMs);
        return Begin.RUN_REPORT_LATER;
      }
      owedAcks.remove(id); // 'started' acknowledges it
      return Begin.RUN;
    }
  }

  /** A run ended (or was skipped): its memory is free again. */
  Finished finish(ActivationRequest request) {
    synchronized (lock) {
      boolean mine = running.remove(request.activationId()) != null;
      boolean hadStarted = started.remove(request.activationId());
      if (mine) {
        memoryInUseMb -= request.limits().memoryMb();
      }
      return new Finished(mine, hadStarted, draining);
    }
  }

  /**
   * Its {@code completed} goes out: that acknowledges it, and stands for a start not reported yet.
   */
  void completed(String activationId) {
    synchronized (lock) {
      owedAcks.remove(activationId);
      unreportedStarts.remove(activationId);
    }
  }

  /**
   * The balancer withdraws an activation: true if it was queued (now dropped); if it runs and has
   * not started it is remembered, so it does not run once its runtime is ready; if it never arrived
   * here it is remembered, so it does not run when it arrives later. A cancel for one that arrived
   * here and is gone (it ended) withdraws nothing: a later send of the same id runs.
   */
  boolean cancel(String activationId) {
    synchronized (lock) {
      boolean removed = queued.removeIf(r -> r.activationId().equals(activationId));
      boolean waitsForRuntime =
          running.containsKey(activationId) && !started.contains(activationId);
      if (!removed && (waitsForRuntime || !arrived.contains(activationId))) {
        cancelled.add(activationId);
      }
      return removed;
    }
  }

  /**
   * Starts draining until {@code until}: returns the ids of the queue, emptied (to hand back), or
   * empty if the pilot already drains or has left.
   */
  Optional<List<String>> drain(Instant until) {
    synchronized (lock) {
      if (draining || left.getAsBoolean()) {
        return Optional.empty();
      }
      draining = true;
      leaveBy = until;
      List<String> handBack = queued.stream().map(ActivationRequest::activationId).toList();
      queued.clear();
      return Optional.of(handBack);
    }
  }

  /** When the pilot will be gone, once it drains. */
  Optional<Instant> leaveBy() {
    synchronized (lock) {
      return draining ? Optional.of(leaveBy) : Optional.empty();
    }
  }

  /** True when the pilot drains and nothing runs any more. */
  boolean drained() {
    synchronized (lock) {
      return draining && running.isEmpty();
    }
  }

  /**
   * The pilot leaves: the running activations, in start order, each saying whether it had started;
   * forgotten here.
   */
  List<PilotMessage.HandBack.Item> takeRunning() {
    List<PilotMessage.HandBack.Item> items = new ArrayList<>();
    synchronized (lock) {
      for (String id : running.keySet()) {
        items.add(new PilotMessage.HandBack.Item(id, started.contains(id)));
      }
      running.clear();
      started.clear();
      unreportedStarts.clear();
    }
    return items;
  }

  /** What a heartbeat reports. */
  Load load() {
    synchronized (lock) {
      return new Load(memoryMb - memoryInUseMb, running.size() + queued.size(), draining);
    }
  }

  private boolean holds(String id) {
    return running.containsKey(id) || isQueued(id);
  }

  private boolean isQueued(String id) {
    return queued.stream().anyMatch(r -> r.activationId().equals(id));
  }
}

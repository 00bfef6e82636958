package io.hpcwhisk.core.harvest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The live controller's form of the freed-node hold ({@link FreedNodeHold}). Live, Slurm — not the
 * controller — starts pending pilots, and it does so the instant a batch job ends, before any
 * controller pass can see the node free. So the controller keeps its pending pilots held in Slurm
 * ({@code scontrol hold}) whenever no free node may take one, and defers new submissions then; it
 * releases them when some free node may.
 *
 * <p><b>Algorithm.</b> With no batch job pending, open (nothing for a backfill pass to place).
 * Otherwise, a free harvestable node without a pilot of ours is <i>open</i> when {@link
 * FreedNodeHold} lets it take a pilot (never seen freed by a batch job, or the backfill pass after
 * its release has had its chance); if any is open the gate is open, else closed: pending pilots are
 * held, and {@link #filter} drops this pass's submissions, each with the reason.
 *
 * <p><b>Example.</b> Batch jobs pending, n3 freed 0.4 s ago by a batch job, last backfill pass 0.6
 * s ago (bf_interval 1 s), no other free node: closed until the pass due in 0.4 s has run; the next
 * controller pass after it sees n3 open and releases the pilots, which Slurm starts on n3.
 *
 * <p><b>Known caveats.</b> Coarser than the simulator's per-node hold: while the gate is open a
 * released pilot may still take a node freed in the meantime; while it is closed no pilot starts at
 * all (even on a node that is only free for a short window), so a freed node waits up to one {@code
 * bf_interval} plus one controller interval.
 */
public final class PendingPilotGate {

  private PendingPilotGate() {}

  /**
   * A free harvestable node as the controller sees it.
   *
   * @param name the node
   * @param freedAt when a batch job last gave it back, if the controller saw that
   * @param ourPilot whether one of our pilots runs on it
   */
  public record FreeNode(String name, Optional<Instant> freedAt, boolean ourPilot) {
    public FreeNode {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(freedAt, "freedAt");
    }
  }

  /** Whether pending pilots may start; with the reason. */
  public record Gate(boolean open, String reason) {
    public Gate {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The gate at {@code now}. */
  public static Gate decide(
      Instant now, boolean batchPending, BackfillTiming timing, List<FreeNode> free) {
    if (!batchPending) {
      return new Gate(true, "no batch job pending");
    }
    List<String> held = new ArrayList<>();
    String lastHeldReason = null;
    for (FreeNode node : free) {
      if (node.ourPilot()) {
        continue;
      }
      if (node.freedAt().isEmpty()) {
        return new Gate(
            true, node.name() + " has been free since before the controller watched it");
      }
      FreedNodeHold.Verdict v =
          FreedNodeHold.decide(node.name(), node.freedAt().get(), now, true, timing);
      if (!v.held()) {
        return new Gate(true, v.reason());
      }
      held.add(node.name());
      lastHeldReason = v.reason();
    }
    if (held.isEmpty()) {
      return new Gate(
          false,
          "batch jobs pending and no free node: pending pilots held so that a node a batch job "
              + "gives back waits for the next backfill pass");
    }
    return new Gate(
        false,
        "batch jobs pending; every free node was freed since the last backfill pass ("
            + String.join(",", held)
            + "; "
            + lastHeldReason
            + ")");
  }

  /** The intents to carry out: all of them when the gate is open, else all but the submissions. */
  public static List<Intent> filter(List<Intent> intents, Gate gate) {
    if (gate.open()) {
      return intents;
    }
    List<Intent> kept = new ArrayList<>(intents.size());
    for (Intent intent : intents) {
      if (!(intent instanceof Intent.SubmitPilot)) {
        kept.add(intent);
      }
    }
    return kept;
  }
}

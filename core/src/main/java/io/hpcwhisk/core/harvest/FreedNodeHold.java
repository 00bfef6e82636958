package io.hpcwhisk.core.harvest;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Whether a node that a batch job has just given back may take a pilot yet: the "hold freed nodes
 * for one backfill pass" option ({@code --hold-freed-nodes}, {@code harvest.hold-freed-nodes}), for
 * every policy.
 *
 * <p><b>Algorithm.</b> A node freed by a batch job at {@code freedAt} while batch jobs are pending
 * is held — no pilot starts on it — until Slurm's first backfill pass at or after {@code freedAt}
 * has had its chance to place a pending batch job there ({@link BackfillTiming#firstPassFrom}). If
 * Slurm reports a pass that started at or after {@code freedAt}, the hold ends at once; if the
 * expected pass is late (a long backfill cycle), the hold ends one interval after it was due, so a
 * stuck backfill thread never keeps a node idle for long. With no batch job pending nothing is
 * held: no pass would place anything.
 *
 * <p><b>Example.</b> bf_interval 30 s, last pass 12:00:00, a batch job ends on n7 at 12:00:10 with
 * jobs pending: n7 is held until 12:00:30. A pilot started on n7 at 12:00:10 would be preempted at
 * the 12:00:30 pass by the job backfilled there, which would then start a drain time (0.5 s) late,
 * miss nothing itself, but end 0.5 s late; the job planned behind it misses the next pass and
 * starts 30.5 s late — a knock-on delay beyond the grace time. Held, the batch job starts at
 * 12:00:30 on an empty node.
 *
 * <p><b>Known caveats.</b> Costs harvest: a freed node stays idle up to one {@code bf_interval} (on
 * HPC2N, spread, 0.5 s hand-over: about 0.02 points of held share). It removes the knock-on delays
 * that start at a pilot placed between a job's end and the next pass, not those that start at a
 * pilot that was on the node long before (a reservation that moves), so it does not reach zero.
 * Live, the controller sees a freed node only at its next pass and Slurm may have started a pending
 * pilot there already; see {@link PendingPilotGate}.
 */
public final class FreedNodeHold {

  private FreedNodeHold() {}

  /** The verdict on one node: held until an instant, or open; both with the reason. */
  public sealed interface Verdict permits Held, Open {
    String reason();

    default boolean held() {
      return this instanceof Held;
    }
  }

  /** No pilot on the node before {@code until}. */
  public record Held(Instant until, String reason) implements Verdict {
    public Held {
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** A pilot may start on the node. */
  public record Open(String reason) implements Verdict {
    public Open {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The verdict on a node freed by a batch job at {@code freedAt}, at {@code now}.
   *
   * @param batchPending whether batch jobs (not pilots) are pending in a partition of the node
   */
  public static Verdict decide(
      String node, Instant freedAt, Instant now, boolean batchPending, BackfillTiming timing) {
    Objects.requireNonNull(freedAt, "freedAt");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(timing, "timing");
    if (!batchPending) {
      return new Open(node + ": no batch job pending, so no backfill pass would place one there");
    }
    Instant pass = timing.firstPassFrom(freedAt);
    if (timing.lastPass().isPresent() && !timing.lastPass().get().isBefore(freedAt)) {
      return new Open(
          node + ": the backfill pass at " + pass + " has seen it free (freed " + freedAt + ")");
    }
    if (!now.isBefore(pass)) {
      Instant giveUp = timing.lastPass().isPresent() ? pass.plus(timing.interval()) : pass;
      if (!now.isBefore(giveUp)) {
        return new Open(
            node
                + ": freed "
                + freedAt
                + ", the backfill pass due "
                + pass
                + " has had its chance");
      }
      return new Held(
          giveUp,
          node
              + ": freed by a batch job at "
              + freedAt
              + " with batch jobs pending; the "
              + "backfill pass due "
              + pass
              + " has not been reported yet, held until "
              + giveUp);
    }
    return new Held(
        pass,
        node
            + ": freed by a batch job at "
            + freedAt
            + " with batch jobs pending; held for "
            + "Slurm's next backfill pass at "
            + pass
            + " (bf_interval "
            + seconds(timing.interval())
            + ")");
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
  }
}

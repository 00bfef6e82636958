package io.hpcwhisk.bench.harvest;

import java.util.List;
import java.util.Locale;

/**
 * Formats benchmark results as Markdown: one table row per scenario (batch waits compared with the
 * first run without harvesting, also job by job) and a second table saying where the idle node-time
 * that pilots did not hold went.
 *
 * <p>Every scenario replays the same seeded workload, submitting its jobs in the same order, so the
 * n-th wait of one scenario and of the reference (the first {@code none}) belong to the same job. A
 * further {@code none} run compared with the first shows how far the real scheduler moves jobs
 * between two identical runs — the noise the per-job figures of a policy are read against.
 */
public final class BenchReport {

  private BenchReport() {}

  public static String markdown(List<HarvestBenchmark.Result> results) {
    HarvestBenchmark.Result reference =
        results.stream().filter(r -> r.scenario().equals("none")).findFirst().orElse(null);
    StringBuilder out = new StringBuilder();
    out.append(
        "| scenario | batch jobs started/submitted | mean wait (s) | Δ mean wait vs none (s) | jobs"
            + " started in both waiting longer than in none (≥ 1 s) | max Δ wait of such a job (s)"
            + " | p50 wait (s) | p95 wait (s) | max wait (s) | idle node-time (node-s) | held by"
            + " pilots | held (2 s samples) | pilot submissions | preemptions | harvested node-s |"
            + " load average (1/5/15 min) start → end |\n");
    out.append("| --- ".repeat(16)).append("|\n");
    for (HarvestBenchmark.Result r : results) {
      boolean compared = reference != null && r != reference;
      JobShifts shifts = compared ? JobShifts.of(reference.startWaits(), r.startWaits()) : null;
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %d/%d | %.1f | %s | %s | %s | %.1f | %.1f | %.1f | %.0f | %.1f %% | %.1f %% |"
                  + " %.0f | %.0f | %.0f | %s |%n",
              r.scenario(),
              r.jobsStarted(),
              r.jobsSubmitted(),
              r.meanWait(),
              compared
                  ? String.format(Locale.ROOT, "%+.1f", r.meanWait() - reference.meanWait())
                  : "—",
              shifts == null ? "—" : Integer.toString(shifts.longer()),
              shifts == null ? "—" : String.format(Locale.ROOT, "%+.1f", shifts.maxIncrease()),
              r.quantileWait(0.5),
              r.quantileWait(0.95),
              r.quantileWait(1.0),
              r.exact().idle(),
              100 * r.exact().share(),
              100 * r.coveredShare(),
              r.submissions(),
              r.preemptions(),
              r.harvestedNodeSeconds(),
              r.load()));
    }
    out.append(
        "\n"
            + "Where the idle node-time not held by pilots went (node-s, share of idle"
            + " node-time):\n\n");
    out.append("| scenario | idle periods |");
    for (IdleAccounting.Loss loss : IdleAccounting.Loss.values()) {
      out.append(' ').append(loss.text()).append(" |");
    }
    out.append("\n| --- | --- |");
    out.append(" --- |".repeat(IdleAccounting.Loss.values().length));
    out.append('\n');
    for (HarvestBenchmark.Result r : results) {
      IdleAccounting.Totals t = r.exact();
      out.append("| ").append(r.scenario()).append(" | ").append(t.idlePeriods()).append(" |");
      for (IdleAccounting.Loss loss : IdleAccounting.Loss.values()) {
        out.append(
            String.format(
                Locale.ROOT,
                " %.0f (%.1f %%) |",
                t.lost(loss),
                t.idle() == 0 ? 0 : 100 * t.lost(loss) / t.idle()));
      }
      out.append('\n');
    }
    return out.toString();
  }

  /**
   * How the waits of one run differ job by job from the reference's, over the jobs that started in
   * both (a wait censored at a run's end says when the run ended, not how the job was scheduled).
   *
   * @param longer jobs that waited at least a second longer (Slurm's times are whole seconds)
   * @param maxIncrease the largest increase of a job's wait in seconds (negative when every job
   *     waited less)
   */
  record JobShifts(int longer, double maxIncrease) {

    /**
     * Null when the runs did not submit the same number of jobs (then they cannot be paired) or no
     * job started in both; NaN entries are jobs that did not start.
     */
    static JobShifts of(List<Double> reference, List<Double> waits) {
      if (reference.size() != waits.size()) {
        return null;
      }
      int longer = 0;
      int paired = 0;
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < waits.size(); i++) {
        double increase = waits.get(i) - reference.get(i);
        if (Double.isNaN(increase)) {
          continue;
        }
        paired++;
        longer += increase >= 1.0 ? 1 : 0;
        max = Math.max(max, increase);
      }
      return paired == 0 ? null : new JobShifts(longer, max);
    }
  }
}

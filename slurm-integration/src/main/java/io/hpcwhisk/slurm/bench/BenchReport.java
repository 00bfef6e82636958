package io.hpcwhisk.slurm.bench;

import java.util.List;
import java.util.Locale;

/**
 * Formats benchmark results as Markdown: one table row per scenario (batch waits compared with the run without
 * harvesting) and a second table saying where the idle node-time that pilots did not hold went.
 */
public final class BenchReport {

  private BenchReport() {}

  public static String markdown(List<HarvestBenchmark.Result> results) {
    double baseMean = results.stream().filter(r -> r.scenario().equals("none")).findFirst()
        .map(HarvestBenchmark.Result::meanWait).orElse(Double.NaN);
    StringBuilder out = new StringBuilder();
    out.append("| scenario | batch jobs started/submitted | mean wait (s) | Δ mean wait vs none (s) | p50 wait (s) |"
        + " p95 wait (s) | max wait (s) | idle node-time (node-s) | held by pilots | held (2 s samples) |"
        + " pilot submissions | preemptions | harvested node-s | load average (1/5/15 min) start → end |\n");
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (HarvestBenchmark.Result r : results) {
      out.append(String.format(Locale.ROOT,
          "| %s | %d/%d | %.1f | %s | %.1f | %.1f | %.1f | %.0f | %.1f %% | %.1f %% | %.0f | %.0f | %.0f | %s |%n",
          r.scenario(), r.jobsStarted(), r.jobsSubmitted(), r.meanWait(),
          r.scenario().equals("none") || Double.isNaN(baseMean) ? "—"
              : String.format(Locale.ROOT, "%+.1f", r.meanWait() - baseMean),
          r.quantileWait(0.5), r.quantileWait(0.95), r.quantileWait(1.0), r.exact().idle(),
          100 * r.exact().share(), 100 * r.coveredShare(), r.submissions(), r.preemptions(),
          r.harvestedNodeSeconds(), r.load()));
    }
    out.append("\nWhere the idle node-time not held by pilots went (node-s, share of idle node-time):\n\n");
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
        out.append(String.format(Locale.ROOT, " %.0f (%.1f %%) |", t.lost(loss),
            t.idle() == 0 ? 0 : 100 * t.lost(loss) / t.idle()));
      }
      out.append('\n');
    }
    return out.toString();
  }
}

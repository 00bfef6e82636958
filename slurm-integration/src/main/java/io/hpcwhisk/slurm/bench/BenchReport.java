package io.hpcwhisk.slurm.bench;

import java.util.List;
import java.util.Locale;

/** Formats benchmark results as a Markdown table, batch waits compared with the run without harvesting. */
public final class BenchReport {

  private BenchReport() {}

  public static String markdown(List<HarvestBenchmark.Result> results) {
    double baseMean = results.stream().filter(r -> r.scenario().equals("none")).findFirst()
        .map(HarvestBenchmark.Result::meanWait).orElse(Double.NaN);
    StringBuilder out = new StringBuilder();
    out.append("| scenario | batch jobs started/submitted | mean wait (s) | Δ mean wait vs none (s) | p50 wait (s) |"
        + " p95 wait (s) | idle node-time (node-s) | held by pilots | pilot submissions | preemptions |"
        + " harvested node-s |\n");
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (HarvestBenchmark.Result r : results) {
      out.append(String.format(Locale.ROOT, "| %s | %d/%d | %.1f | %s | %.1f | %.1f | %.0f | %.1f %% | %.0f | %.0f | %.0f |%n",
          r.scenario(), r.jobsStarted(), r.jobsSubmitted(), r.meanWait(),
          r.scenario().equals("none") || Double.isNaN(baseMean) ? "—"
              : String.format(Locale.ROOT, "%+.1f", r.meanWait() - baseMean),
          r.quantileWait(0.5), r.quantileWait(0.95), r.idleNodeSeconds(), 100 * r.coveredShare(), r.submissions(),
          r.preemptions(), r.harvestedNodeSeconds()));
    }
    return out.toString();
  }
}

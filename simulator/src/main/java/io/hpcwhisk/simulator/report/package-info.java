/**
 * What every replay reports and how it is written: {@link
 * io.hpcwhisk.simulator.report.ReplayResult} (the shared shape of clairvoyant and online results),
 * {@link io.hpcwhisk.simulator.report.CoverageFigures} (ready, warm-up and unused shares, pilots,
 * samples without a ready pilot), the per-sample {@link io.hpcwhisk.simulator.report.Timeline}, and
 * the writers for {@code report.json}, the CSV time series, the PNG plots and the terminal table.
 */
package io.hpcwhisk.simulator.report;

/**
 * Trace readers: one sub-package per trace format, each behind {@link
 * io.hpcwhisk.simulator.trace.TraceReader}. A reader streams records in file order, fails on
 * malformed input with a {@link io.hpcwhisk.simulator.trace.TraceFormatException} naming file,
 * line, field and what was expected, and keeps a {@link io.hpcwhisk.simulator.trace.TraceSummary}
 * of what it read and what it skipped on purpose. The line-based readers share their line loop and
 * skip bookkeeping through {@link io.hpcwhisk.simulator.trace.LineRecords}.
 */
package io.hpcwhisk.simulator.trace;

package io.hpcwhisk.simulator.sacct;

/**
 * One finished job of a sacct dump. Times are unix seconds, durations seconds.
 *
 * @param id the JobID column, or the line number when the dump has none
 * @param submit Submit
 * @param start Start
 * @param end End
 * @param timeLimit Timelimit, or -1 when UNLIMITED / Partition_Limit
 * @param nodes NNodes
 * @param cpus NCPUS
 * @param partition Partition
 * @param state the first word of State (e.g. {@code CANCELLED} of {@code CANCELLED by 1000})
 * @param elapsed Elapsed
 * @param line the 1-based line it came from
 */
public record SacctJob(
    String id,
    long submit,
    long start,
    long end,
    long timeLimit,
    int nodes,
    int cpus,
    String partition,
    String state,
    long elapsed,
    long line) {}

/**
 * Reader for Slurm accounting dumps made with {@code sacct -P} (pipe-separated, one header line
 * naming the columns). The columns the simulator needs are Submit, Start, End, Timelimit, NNodes,
 * NCPUS, Partition, State and Elapsed, in any order; other columns (JobID, JobName, …) are allowed.
 * Job steps, jobs cancelled before they started, unfinished jobs and zero-size jobs are skipped and
 * counted; malformed lines stop the stream with file:line: field and what was expected.
 */
package io.hpcwhisk.simulator.sacct;

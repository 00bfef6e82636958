/**
 * Reader for the Standard Workload Format (SWF v2.2) of the Parallel Workloads Archive: one job per
 * line, 18 whitespace-separated numbers, {@code ;} header and comment lines whose {@code Key:
 * value} pairs give the machine ({@code MaxNodes}, {@code MaxProcs}) and the time origin ({@code
 * UnixStartTime}). Plain or gzip (by the {@code .gz} extension or the gzip magic bytes), streamed
 * one line at a time; malformed lines stop the stream with file:line: field and what was expected;
 * jobs the scheduler cannot replay are skipped and counted by reason.
 */
package io.hpcwhisk.simulator.swf;

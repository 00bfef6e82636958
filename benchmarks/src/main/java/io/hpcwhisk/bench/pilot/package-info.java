/**
 * Benchmarks of the pilot (not tests: they print figures): start-up of real pilot jobs from the
 * batch script's start to registration, the preemption hand-over (a batch job's wait for an idle
 * pilot to leave), cold start per kind, and the warm per-activation overhead.
 */
package io.hpcwhisk.bench.pilot;

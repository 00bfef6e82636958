/**
 * The balancer's pilot side: the WebSocket endpoint pilots connect to ({@code /pilot/v1}); the
 * pilot credentials, how the controller hands them to pilot jobs (a 0600 file per job, bound to the
 * job id {@code sbatch} answers, see {@link io.hpcwhisk.balancer.pilots.PilotSubmissions}) and who
 * may register with one ({@link io.hpcwhisk.balancer.pilots.PilotAdmission}, asking Slurm through a
 * {@link io.hpcwhisk.balancer.pilots.PilotJobVerifier}); and the connection abstraction the
 * dispatcher talks through (a Jetty session in production, a fake in tests).
 */
package io.hpcwhisk.balancer.pilots;

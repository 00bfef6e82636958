/**
 * The pure domain of HPC-Whisk: records for nodes, jobs, windows, pilots and activations, the
 * harvest and routing policies and the pilot health state machine. Depends on the JDK only and
 * never reads the wall clock; time and randomness are passed in.
 */
package io.hpcwhisk.core;

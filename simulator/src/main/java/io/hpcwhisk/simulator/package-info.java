/**
 * The trace-driven simulator: trace readers, cluster models and replays that run the production
 * policies.
 */
package io.hpcwhisk.simulator;

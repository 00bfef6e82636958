/**
 * The server's Micrometer metrics and their Prometheus text on {@code GET /metrics}: HTTP requests
 * by route and status, activations by outcome, the pilot queue, pilots by health, re-dispatches,
 * routing refusals, latency histograms and the counters pilots report with their heartbeats.
 */
package io.hpcwhisk.balancer.metrics;

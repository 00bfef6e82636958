/**
 * Durations as people write them in configuration and on the command line ({@code 90s}, {@code 2m},
 * {@code 1h30m}): {@link io.hpcwhisk.core.time.Durations} parses and formats them for every module.
 * Reads no clock.
 */
package io.hpcwhisk.core.time;

package io.hpcwhisk.runtime;

import java.time.Duration;
import java.time.Instant;

/**
 * What starting a runtime for an action version gave: a ready container, or a failed activation.
 */
public sealed interface InitOutcome {

  /** The runtime is initialised and waits for activations. */
  record Ready(ActionContainer container, Instant initStart, Duration initTime)
      implements InitOutcome {}

  /**
   * Initialisation failed (bad code, missing main, crash, init timeout, no interpreter): the result
   * is the activation record to report, usually a developer error with the init logs.
   */
  record Failed(ActivationResult result) implements InitOutcome {}
}

package io.hpcwhisk.core.health;

import java.time.Instant;
import java.util.Objects;

/** What the balancer learns about a pilot; each signal carries the time it was observed. */
public sealed interface HealthSignal {

  Instant at();

  /** The pilot said it is alive (its connection is up). */
  record Heartbeat(Instant at) implements HealthSignal {
    public Heartbeat {
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * An activation on the pilot ended; {@code outcome} says how, from the pilot's health point of
   * view.
   */
  record ActivationEnded(Instant at, Outcome outcome) implements HealthSignal {
    public ActivationEnded {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /** The pilot's connection closed or broke. */
  record ConnectionLost(Instant at) implements HealthSignal {
    public ConnectionLost {
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * The pilot answered again: it answered the balancer's probe ({@code pong}) or acknowledged an
   * activation it holds. Earlier timeouts no longer count against it.
   */
  record Answered(Instant at) implements HealthSignal {
    public Answered {
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * The pilot could not start an action's runtime (its fault, not the user's): unhealthy for the
   * policy's start-failure cooldown.
   */
  record RuntimeStartFailed(Instant at, String cause) implements HealthSignal {
    public RuntimeStartFailed {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(cause, "cause");
    }
  }

  /** Time passed with no other news; lets silence turn into {@link Health#OFFLINE}. */
  record Tick(Instant at) implements HealthSignal {
    public Tick {
      Objects.requireNonNull(at, "at");
    }
  }

  /** How an activation ended, as far as the pilot's health is concerned. */
  enum Outcome {
    /** Success, application error or developer error: the pilot did its job. */
    OK,
    /** A whisk internal error raised by the pilot itself. */
    SYSTEM_ERROR,
    /** The pilot took an activation and did not answer within its lease. */
    TIMEOUT
  }
}

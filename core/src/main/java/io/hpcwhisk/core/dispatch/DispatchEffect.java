package io.hpcwhisk.core.dispatch;

import java.util.Objects;

/**
 * What the dispatch rules want done; the shell carries it out in order. Sends and closes go to a
 * pilot's connection; {@link Complete} ends an activation (the shell completes its future, and the
 * API stores the one terminal record); {@link Count} feeds a metric; {@link Log} and {@link
 * Dropped} are for the operator.
 *
 * @param <C> the connection handle
 */
public sealed interface DispatchEffect<C> {

  /** Send {@code activate}: the activation's {@code attempt}-th start would be this one. */
  record Activate<C>(C to, String pilotId, String activationId, int attempt)
      implements DispatchEffect<C> {}

  /** Send {@code cancel}: drop it unless started. */
  record Cancel<C>(C to, String activationId, String reason) implements DispatchEffect<C> {}

  /** Send {@code ping} with {@code nonce}. */
  record Ping<C>(C to, String nonce) implements DispatchEffect<C> {}

  /** Send {@code registered}: the registration is admitted. */
  record Welcome<C>(C to, String pilotId) implements DispatchEffect<C> {}

  /** Send {@code drain}. */
  record Drain<C>(C to, String reason) implements DispatchEffect<C> {}

  /** Send {@code forget}: drop the idle runtimes of the action. */
  record Forget<C>(C to, String actionPath) implements DispatchEffect<C> {}

  /** Close the connection. */
  record Close<C>(C to, int code, String reason) implements DispatchEffect<C> {}

  /**
   * Refuse the registration ({@code meterReason}: id_in_use or stopping); try again later if {@code
   * retryLater}.
   */
  record Refuse<C>(String reason, boolean retryLater, String meterReason)
      implements DispatchEffect<C> {}

  /** A pilot was added (its per-pilot meters start). */
  record Joined<C>(PilotEntry<C> pilot) implements DispatchEffect<C> {}

  /** A pilot was removed (its per-pilot meters go). */
  record Left<C>(PilotEntry<C> pilot) implements DispatchEffect<C> {}

  /**
   * The activation ends: with the result of the {@link DispatchEvent.Completed} being handled when
   * {@code error} is null, else with a whisk error saying {@code error}. {@code label} is the
   * outcome's metric label.
   */
  record Complete<C>(String activationId, String label, String error) implements DispatchEffect<C> {
    public Complete {
      Objects.requireNonNull(activationId, "activationId");
      Objects.requireNonNull(label, "label");
    }

    public boolean withResult() {
      return error == null;
    }
  }

  /**
   * A metric: {@code counter} with {@code label} by {@code amount} (milliseconds for {@link
   * Counter#QUEUE_WAIT}).
   */
  record Count<C>(Counter counter, String label, long amount) implements DispatchEffect<C> {}

  /**
   * A message about an activation or pilot was dropped for {@code reason} (counted; logged
   * rate-limited).
   */
  record Dropped<C>(String reason, String what, String activationId, String pilotId, C from)
      implements DispatchEffect<C> {}

  /** A line for the log. */
  record Log<C>(boolean warn, String text) implements DispatchEffect<C> {}

  /** The metrics the rules feed. */
  enum Counter {
    /** {@code whisk_redispatches_total{cause}}. */
    REDISPATCH,
    /** {@code whisk_routing_refusals_total{reason}}. */
    ROUTING_REFUSAL,
    /** {@code whisk_late_results_total{kind="after_end"}}. */
    LATE_RESULT,
    /** {@code whisk_late_results_total{kind="cancelled"}}. */
    CANCELLED_RESULT,
    /** {@code whisk_starts_after_cancel_total}. */
    START_AFTER_CANCEL,
    /** {@code whisk_pilot_probes_total}. */
    PROBE,
    /** {@code whisk_queue_wait_seconds} (amount in ms). */
    QUEUE_WAIT
  }

  /**
   * The label of a {@link Complete} for an activation another server took over ({@link
   * DispatchEvent.Disowned}): the shell ends it without an outcome of its own.
   */
  String DISOWNED = "disowned";

  /** Drop reasons ({@code whisk_pilot_messages_dropped_total{reason}}). */
  String DROPPED_FOREIGN = "foreign_connection";

  /**
   * As {@link #DROPPED_FOREIGN}, from a connection registered under a pilot id it was sent to
   * earlier.
   */
  String DROPPED_EARLIER = "earlier_connection";

  /** A message over a connection that no longer holds a registration. */
  String DROPPED_STALE = "stale_connection";

  /** Refusal reasons ({@code whisk_pilot_registrations_refused_total{reason}}). */
  String REFUSED_ID_IN_USE = "id_in_use";

  /** Refused: the dispatcher is stopping. */
  String REFUSED_STOPPING = "stopping";
}

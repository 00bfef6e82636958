package io.hpcwhisk.core.dispatch;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What happens to the dispatcher: an activation is submitted, a pilot claims an id, registers, says
 * something over its connection or loses it, the controller asks a pilot to drain, an action is
 * forgotten, time passes, the dispatcher stops. Messages from pilots carry the pilot id the
 * connection registered under and the connection itself ({@code C}, compared by identity).
 *
 * @param <C> the connection handle
 */
public sealed interface DispatchEvent<C> {

  /** A message a pilot sent over {@code connection}, which registered as {@code pilotId}. */
  sealed interface FromPilot<C> extends DispatchEvent<C> {
    String pilotId();

    C connection();
  }

  /** An activation to run; it ends in exactly one {@link DispatchEffect.Complete}. */
  record Submitted<C>(Activation activation) implements DispatchEvent<C> {
    public Submitted {
      Objects.requireNonNull(activation, "activation");
    }
  }

  /**
   * A connection wants to register as {@code pilotId}, before its credential is checked: refused
   * while the id is held by another connection that is open ({@code holderOpen}: the shell asks the
   * holder's connection).
   */
  record Claimed<C>(String pilotId, C connection, boolean holderOpen) implements DispatchEvent<C> {}

  /** A pilot whose credential was admitted registers; {@code holderOpen} as for {@link Claimed}. */
  record Registered<C>(PilotSpec spec, C connection, boolean holderOpen)
      implements DispatchEvent<C> {}

  /** A heartbeat: alive, its warm runtimes, whether it drains. */
  record Heartbeat<C>(String pilotId, C connection, Map<String, Integer> warm, boolean draining)
      implements FromPilot<C> {}

  /** {@code accepted}: the pilot holds the activation. */
  record Accepted<C>(String pilotId, C connection, String activationId) implements FromPilot<C> {}

  /** {@code started}: its runtime began running the activation. */
  record Started<C>(String pilotId, C connection, String activationId) implements FromPilot<C> {}

  /**
   * {@code completed}: the activation's result.
   *
   * @param label the outcome's metric label, e.g. {@code success}
   * @param systemError whether the pilot itself failed it (a whisk internal error): counts against
   *     its health
   * @param startFault the cause when the pilot could not start the action's runtime (its fault),
   *     else null
   */
  record Completed<C>(
      String pilotId,
      C connection,
      String activationId,
      String label,
      boolean systemError,
      String startFault)
      implements FromPilot<C> {}

  /**
   * {@code hand-back}: the pilot gives activations back (it drains, was told to cancel, cannot
   * finish them).
   */
  record HandedBack<C>(String pilotId, C connection, List<Item> items, String reason)
      implements FromPilot<C> {
    public HandedBack {
      items = List.copyOf(items);
    }

    /** One activation handed back and whether the pilot's runtime had begun running it. */
    public record Item(String activationId, boolean started) {}
  }

  /** {@code pong}: the pilot answered a probe. */
  record Pong<C>(String pilotId, C connection) implements FromPilot<C> {}

  /** {@code draining}: the pilot takes nothing new. */
  record Draining<C>(String pilotId, C connection, String reason) implements FromPilot<C> {}

  /** {@code leaving}: the pilot is about to close its connection. */
  record Leaving<C>(String pilotId, C connection, String reason) implements FromPilot<C> {}

  /** A second {@code register} over a registered connection (ignored). */
  record RegisteredTwice<C>(String pilotId, C connection) implements FromPilot<C> {}

  /** The connection closed. */
  record Closed<C>(String pilotId, C connection, String reason) implements DispatchEvent<C> {}

  /**
   * Time passed: health, acknowledgement and lease deadlines, the queue's wait limit.
   *
   * @param handling pilots one of whose frames the shell is handling now (waiting for its lock):
   *     their acknowledgement deadlines wait for a later tick, as the {@code accepted} may be that
   *     frame or one behind it
   */
  record Tick<C>(Set<String> handling) implements DispatchEvent<C> {
    public Tick {
      handling = Set.copyOf(handling);
    }

    /** A tick with no frame being handled. */
    public Tick() {
      this(Set.of());
    }
  }

  /**
   * The pilot's connection was heard from at {@code at}: one of its frames (any kind) arrived, or
   * the shell was still handling one (it reads the connection's next frame only after). Liveness
   * only: refreshes the pilot's last heartbeat if later; it does not make a pilot ready for work.
   * Nothing happens for a connection that holds no registration.
   */
  record Heard<C>(String pilotId, C connection, Instant at) implements DispatchEvent<C> {
    public Heard {
      Objects.requireNonNull(at, "at");
    }
  }

  /** The controller asks a pilot to drain. */
  record DrainAsked<C>(String pilotId, String reason) implements DispatchEvent<C> {}

  /** An action was deleted or replaced: every pilot drops its idle runtimes. */
  record Forgotten<C>(String actionPath) implements DispatchEvent<C> {}

  /**
   * The dispatcher stops: pilots are closed, nothing more ends (what is left stays pending in the
   * store).
   */
  record Stopped<C>() implements DispatchEvent<C> {}

  /**
   * The server's ownership lease lapsed ({@link OwnerLease}): nothing is sent to pilots until
   * {@link Resumed}; submitted and taken-back activations wait in the queue.
   */
  record Held<C>() implements DispatchEvent<C> {}

  /**
   * The server re-read what it owns: the activations in {@code ids} were taken over by another
   * server. Each ends with a {@link DispatchEffect#DISOWNED} {@link DispatchEffect.Complete} (no
   * record of this server's), a pilot that holds one is told to {@code cancel} it, and its late
   * result is dropped with a log line. Dispatch stays held.
   */
  record Disowned<C>(Set<String> ids, String reason) implements DispatchEvent<C> {
    public Disowned {
      ids = Set.copyOf(ids);
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Everything the server holds was checked after a {@link Held}: dispatch resumes. */
  record Resumed<C>() implements DispatchEvent<C> {}
}

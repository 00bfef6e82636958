package io.hpcwhisk.balancer.api;

import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.auth.IdentityStore;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who sent a request: the identity named by a valid {@code Authorization: Basic uuid:key} header,
 * for the REST API and web actions alike. OpenWhisk's public guest key ({@code api.guest}) counts
 * only on a loopback connector: on any other address of {@code api.host} it is refused like an
 * invalid key (logged at most once a minute), so the API can listen on a cluster network for
 * actions' own keys without handing the guest namespace to everyone there.
 */
public final class Callers {

  private static final Logger LOG = LoggerFactory.getLogger(Callers.class);
  private static final AtomicLong LAST_GUEST_REFUSAL_LOG =
      new AtomicLong(System.nanoTime() - 120_000_000_000L);

  private Callers() {}

  /** The caller named by a valid {@code Authorization: Basic} header, if any. */
  public static Optional<Identity> identify(Request request, IdentityStore identities) {
    String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    String uuid = decoded.substring(0, colon);
    String key = decoded.substring(colon + 1);
    Optional<Identity> identity = identities.authenticate(uuid, key);
    if (identity.isPresent()
        && isPublicGuestKey(uuid, key)
        && !onLoopback(request.getConnectionMetaData().getLocalSocketAddress())) {
      refusedGuest(request);
      return Optional.empty();
    }
    return identity;
  }

  /** OpenWhisk's public guest key itself (not a key the server issued to a guest activation). */
  static boolean isPublicGuestKey(String uuid, String key) {
    return Identity.GUEST.uuid().equals(uuid) && Identity.GUEST.key().equals(key);
  }

  /** Whether a request came in on a loopback connector. */
  static boolean onLoopback(SocketAddress local) {
    return local instanceof InetSocketAddress a
        && a.getAddress() != null
        && a.getAddress().isLoopbackAddress();
  }

  private static void refusedGuest(Request request) {
    long now = System.nanoTime();
    long last = LAST_GUEST_REFUSAL_LOG.get();
    if (now - last > 60_000_000_000L && LAST_GUEST_REFUSAL_LOG.compareAndSet(last, now)) {
      LOG.warn(
          "refused OpenWhisk's public guest key from {} on {}: it is accepted only on loopback"
              + " addresses (api.guest); logged at most once a minute",
          Request.getRemoteAddr(request),
          request.getConnectionMetaData().getLocalSocketAddress());
    }
  }
}

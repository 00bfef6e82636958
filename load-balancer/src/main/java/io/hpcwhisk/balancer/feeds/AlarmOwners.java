package io.hpcwhisk.balancer.feeds;

import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.auth.IdentityStore;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who a namespace's alarms fire as: its user (subject, uuid and limits as stored now), with a
 * random key that is never shown nor accepted anywhere (the server keeps no user's key; the trigger
 * service needs an identity, not a key); the guest when the server allows it. Empty when the
 * namespace has no user any more: its alarms are then deleted at their next fire.
 */
public final class AlarmOwners {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private AlarmOwners() {}

  public static Function<String, Optional<Identity>> of(
      IdentityStore identities, boolean guestAllowed) {
    return namespace -> {
      Optional<Identity> user =
          identities
              .byNamespace(namespace)
              .map(
                  u ->
                      new Identity(
                          u.subject(), u.namespace(), u.uuid(), unusableKey(), u.limits()));
      if (user.isPresent()) {
        return user;
      }
      if (guestAllowed && namespace.equals(Identity.GUEST.namespace())) {
        return Optional.of(
            Identity.GUEST.withLimits(identities.limitsOf(Identity.GUEST.namespace())));
      }
      return Optional.empty();
    };
  }

  private static String unusableKey() {
    StringBuilder b = new StringBuilder(64);
    for (int i = 0; i < 64; i++) {
      b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }
}

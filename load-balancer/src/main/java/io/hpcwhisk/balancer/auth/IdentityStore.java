package io.hpcwhisk.balancer.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users, each with a {@link KeyDigest} of its key (never the key), in {@link UserRecords}:
 * {@code identities.json} under the data directory, or the PostgreSQL store's table shared by every
 * server. Writers (the admin command) replace the entries atomically under the backend's lock; the
 * server re-reads them when their version changes (checked at most once a second), so created,
 * rotated and deleted users take effect at once.
 *
 * <p>{@link #authenticate} checks a presented key against the digest (constant time) and remembers
 * the key it verified per user, so later calls with the same key cost one constant-time comparison
 * instead of an HMAC; the memory is dropped with the user's entry when the file changes. Keys
 * issued to running activations ({@link ActivationKeys}) authenticate too, while their user exists.
 *
 * <p>A file written before keys were hashed (entries with a plaintext {@code key}) is rewritten
 * with digests when it is first read.
 */
public final class IdentityStore {

  public static final String FILE_NAME = FileUserRecords.FILE_NAME;
  private static final Logger LOG = LoggerFactory.getLogger(IdentityStore.class);

  private final UserRecords records;
  private final SecureRandom random = new SecureRandom();
  private final ActivationKeys activationKeys = new ActivationKeys(random);

  /** Compared against for an unknown uuid, so that a refusal costs the same either way. */
  private final KeyDigest nobody;

  private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();
  private volatile Map<String, StoredUser> byUuid = Map.of();
  private volatile Map<String, NamespaceLimits> limitsByNamespace = Map.of();
  private volatile long loadedVersion = Long.MIN_VALUE;
  private volatile long lastCheckNanos = 0;
  private volatile StoredUser guest;

  /**
   * A key this store has verified for {@code user} (the very entry, so a changed file forgets it).
   */
  private record Verified(StoredUser user, Identity identity) {}

  /** The users in {@code identities.json} under {@code dataDir}. */
  public IdentityStore(Path dataDir) {
    this(new FileUserRecords(dataDir));
  }

  /** The users in {@code records}. */
  public IdentityStore(UserRecords records) {
    this.records = records;
    this.nobody = KeyDigest.of(new UUID(0, 0).toString(), ActivationKeys.randomKey(random), random);
    reload();
  }

  /**
   * The caller that presented {@code uuid:key}, re-reading the file when it has changed: a user
   * whose key matches its digest, the guest (when allowed), or a running activation's key of an
   * existing user.
   */
  public Optional<Identity> authenticate(String uuid, String key) {
    long now = System.nanoTime();
    if (now - lastCheckNanos > 1_000_000_000L) {
      lastCheckNanos = now;
      reloadIfChanged();
    }
    StoredUser user = byUuid.get(uuid);
    StoredUser g = guest;
    if (user == null && g != null && g.uuid().equals(uuid)) {
      user = g;
    }
    if (user == null) {
      nobody.matches(key);
      return Optional.empty();
    }
    Verified known = verified.get(uuid);
    if (known != null
        && known.user() == user
        && MessageDigest.isEqual(
            known.identity().key().getBytes(StandardCharsets.UTF_8),
            key.getBytes(StandardCharsets.UTF_8))) {
      return Optional.of(known.identity());
    }
    if (Identity.wellFormedKey(key) && user.keyDigest().matches(key)) {
      Identity identity = user.as(key);
      verified.put(uuid, new Verified(user, identity));
      return Optional.of(identity);
    }
    return activationKeys.find(uuid, key);
  }

  /**
   * The user owning {@code namespace} (the guest too, when allowed) as the caller of activations it
   * pays for without presenting its key, such as web actions: its subject, uuid and limits, with a
   * fresh random key that this store never accepts (the server keeps no user's key).
   */
  public Optional<Identity> owner(String namespace) {
    long now = System.nanoTime();
    if (now - lastCheckNanos > 1_000_000_000L) {
      lastCheckNanos = now;
      reloadIfChanged();
    }
    StoredUser found = null;
    for (StoredUser u : byUuid.values()) {
      if (u.namespace().equals(namespace)) {
        found = u;
      }
    }
    StoredUser g = guest;
    if (found == null && g != null && g.namespace().equals(namespace)) {
      found = g;
    }
    return Optional.ofNullable(found).map(u -> u.as(ActivationKeys.randomKey(random)));
  }

  /** The keys of running activations; they authenticate here while their user exists. */
  public ActivationKeys activationKeys() {
    return activationKeys;
  }

  /** The users, by namespace; digests and fingerprints only. */
  public List<StoredUser> list() {
    reload();
    List<StoredUser> all = new ArrayList<>(byUuid.values());
    all.sort(Comparator.comparing(StoredUser::namespace));
    return all;
  }

  public Optional<StoredUser> byNamespace(String namespace) {
    return list().stream().filter(i -> i.namespace().equals(namespace)).findFirst();
  }

  /**
   * Creates a user with a fresh key; fails when the namespace already has one. The key is in the
   * returned identity only: tell it to the user now, it cannot be shown again.
   */
  public Identity create(String namespace) {
    return mutate(
        all -> {
          if (all.stream().anyMatch(i -> i.namespace().equals(namespace))) {
            throw new IllegalArgumentException(
                "namespace '" + namespace + "' already has a user; delete it first");
          }
          String uuid = UUID.randomUUID().toString();
          String key = ActivationKeys.randomKey(random);
          StoredUser created =
              new StoredUser(namespace, namespace, uuid, KeyDigest.of(uuid, key, random), null);
          all.add(created);
          return created.as(key);
        });
  }

  /**
   * Gives the user of {@code namespace} a fresh key (same uuid, limits and entities); the old key
   * stops working within a second on a running server. The new key is in the returned identity
   * only.
   */
  public Identity rotate(String namespace) {
    return mutate(
        all -> {
          for (int i = 0; i < all.size(); i++) {
            StoredUser u = all.get(i);
            if (u.namespace().equals(namespace)) {
              String key = ActivationKeys.randomKey(random);
              StoredUser rotated =
                  new StoredUser(
                      u.subject(),
                      u.namespace(),
                      u.uuid(),
                      KeyDigest.of(u.uuid(), key, random),
                      u.limits());
              all.set(i, rotated);
              return rotated.as(key);
            }
          }
          throw new IllegalArgumentException("no user owns namespace '" + namespace + "'");
        });
  }

  /**
   * Accepts OpenWhisk's well-known guest key for as long as this store object lives (the local
   * mode). It is never written to the file, so a server started later without the guest option
   * refuses it.
   */
  public void allowGuest() {
    Identity g = Identity.GUEST;
    guest =
        new StoredUser(
            g.subject(), g.namespace(), g.uuid(), KeyDigest.of(g.uuid(), g.key(), random), null);
  }

  /** Sets (merges) the namespace's own limits; returns the user with its new limits. */
  public StoredUser setLimits(String namespace, NamespaceLimits limits) {
    return mutate(
        all -> {
          for (int i = 0; i < all.size(); i++) {
            StoredUser id = all.get(i);
            if (id.namespace().equals(namespace)) {
              NamespaceLimits merged =
                  (id.limits() == null ? NamespaceLimits.NONE : id.limits()).with(limits);
              StoredUser updated = id.withLimits(merged);
              all.set(i, updated);
              return updated;
            }
          }
          throw new IllegalArgumentException("no user owns namespace '" + namespace + "'");
        });
  }

  /** The namespace's own limits (reading the file when it changed), or none. */
  public NamespaceLimits limitsOf(String namespace) {
    long now = System.nanoTime();
    if (now - lastCheckNanos > 1_000_000_000L) {
      lastCheckNanos = now;
      reloadIfChanged();
    }
    NamespaceLimits limits = limitsByNamespace.get(namespace);
    return limits == null ? NamespaceLimits.NONE : limits;
  }

  /** Deletes the user of the namespace; false when there was none. */
  public boolean delete(String namespace) {
    return mutate(all -> all.removeIf(i -> i.namespace().equals(namespace)));
  }

  private interface Mutation<T> {
    T apply(List<StoredUser> all);
  }

  private synchronized <T> T mutate(Mutation<T> mutation) {
    List<T> result = new ArrayList<>(1);
    try {
      records.update(
          raw -> {
            List<StoredUser> all = new ArrayList<>(convert(raw).users());
            result.add(mutation.apply(all));
            List<JsonNode> out = new ArrayList<>(all.size());
            all.forEach(u -> out.add(Json.MAPPER.valueToTree(u)));
            return out;
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + records.describe(), e);
    }
    reloadFromRecords();
    return result.get(0);
  }

  /** The users in the file; {@code migrated} counts entries that still had a plaintext key. */
  private record Contents(List<StoredUser> users, int migrated) {}

  private Contents convert(List<JsonNode> raw) {
    List<StoredUser> users = new ArrayList<>();
    int migrated = 0;
    for (JsonNode entry : raw) {
      if (entry instanceof ObjectNode o && o.hasNonNull("key") && !o.has("keyDigest")) {
        // written before keys were hashed: replace the key by its digest
        o = o.deepCopy();
        String uuid = o.path("uuid").asText();
        String key = o.remove("key").asText();
        o.set("keyDigest", Json.MAPPER.valueToTree(KeyDigest.of(uuid, key, random)));
        migrated++;
        entry = o;
      }
      try {
        users.add(Json.MAPPER.treeToValue(entry, StoredUser.class));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new Contents(users, migrated);
  }

  private void reloadIfChanged() {
    try {
      if (records.version() != loadedVersion) {
        reload();
      }
    } catch (IOException | RuntimeException e) {
      // keep the identities we have; the next check tries again
    }
  }

  private synchronized void reload() {
    int migrated = reloadFromRecords();
    if (migrated > 0) {
      try {
        mutate(all -> null); // rewrites the file with the digests read
        LOG.info(
            "{}: replaced {} plaintext keys by salted digests (HMAC-SHA256)",
            records.describe(),
            migrated);
      } catch (UncheckedIOException e) {
        LOG.warn(
            "{} holds {} plaintext keys and cannot be rewritten with digests: {}",
            records.describe(),
            migrated,
            e.getCause().toString());
      }
    }
  }

  private synchronized int reloadFromRecords() {
    try {
      long version = records.version();
      Map<String, StoredUser> map = new ConcurrentHashMap<>();
      Map<String, NamespaceLimits> limits = new ConcurrentHashMap<>();
      Contents contents = convert(records.read());
      for (StoredUser i : contents.users()) {
        map.put(i.uuid(), i);
        if (i.limits() != null) {
          limits.put(i.namespace(), i.limits());
        }
      }
      byUuid = map;
      limitsByNamespace = limits;
      loadedVersion = version;
      verified
          .keySet()
          .removeIf(
              uuid -> !map.containsKey(uuid) && (guest == null || !guest.uuid().equals(uuid)));
      return contents.migrated();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read identities from " + records.describe(), e);
    }
  }
}

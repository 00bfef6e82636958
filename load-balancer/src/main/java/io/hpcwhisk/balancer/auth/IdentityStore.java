package io.hpcwhisk.balancer.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import io.hpcwhisk.balancer.entity.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The identities in {@code identities.json} under the data directory. Writers (the admin command)
 * hold a file lock and replace the file atomically; the server re-reads it when its modification
 * time changes (checked at most once a second), so created and deleted users take effect at once.
 */
public final class IdentityStore {

  public static final String FILE_NAME = "identities.json";
  private static final TypeReference<List<Identity>> LIST = new TypeReference<>() {};
  private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY =
      java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final Path file;
  private final SecureRandom random = new SecureRandom();
  private volatile Map<String, Identity> byUuid = Map.of();
  private volatile Map<String, NamespaceLimits> limitsByNamespace = Map.of();
  private volatile long loadedMtime = Long.MIN_VALUE;
  private volatile long lastCheckNanos = 0;
  private volatile Identity guest;

  public IdentityStore(Path dataDir) {
    this.file = dataDir.resolve(FILE_NAME);
    reload();
  }

  /** The identity of {@code uuid}, re-reading the file when it has changed. */
  public Optional<Identity> byUuid(String uuid) {
    long now = System.nanoTime();
    if (now - lastCheckNanos > 1_000_000_000L) {
      lastCheckNanos = now;
      reloadIfChanged();
    }
    Identity found = byUuid.get(uuid);
    if (found == null && guest != null && guest.uuid().equals(uuid)) {
      found = guest;
    }
    return Optional.ofNullable(found);
  }

  public List<Identity> list() {
    reload();
    List<Identity> all = new ArrayList<>(byUuid.values());
    all.sort(Comparator.comparing(Identity::namespace));
    return all;
  }

  public Optional<Identity> byNamespace(String namespace) {
    return list().stream().filter(i -> i.namespace().equals(namespace)).findFirst();
  }

  /** Creates a user with a fresh key; fails when the namespace already has one. */
  public Identity create(String namespace) {
    return mutate(all -> {
      if (all.stream().anyMatch(i -> i.namespace().equals(namespace))) {
        throw new IllegalArgumentException("namespace '" + namespace + "' already has a user; delete it first");
      }
      Identity created = new Identity(namespace, namespace, UUID.randomUUID().toString(), randomKey());
      all.add(created);
      return created;
    });
  }

  /**
   * Accepts OpenWhisk's well-known guest key for as long as this store object lives (the local mode).
   * It is never written to the file, so a server started later without the guest option refuses it.
   */
  public void allowGuest() {
    guest = Identity.GUEST;
  }

  /** Sets (merges) the namespace's own limits; returns the user with its new limits. */
  public Identity setLimits(String namespace, NamespaceLimits limits) {
    return mutate(all -> {
      for (int i = 0; i < all.size(); i++) {
        Identity id = all.get(i);
        if (id.namespace().equals(namespace)) {
          NamespaceLimits merged = (id.limits() == null ? NamespaceLimits.NONE : id.limits()).with(limits);
          Identity updated = id.withLimits(merged);
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

  private String randomKey() {
    char[] key = new char[64];
    for (int i = 0; i < key.length; i++) {
      key[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(key);
  }

  private interface Mutation<T> {
    T apply(List<Identity> all);
  }

  @SuppressWarnings("try") // the lock is held for the block's duration, not used in it
  private synchronized <T> T mutate(Mutation<T> mutation) {
    try {
      Files.createDirectories(file.getParent());
      Path lockFile = file.resolveSibling(FILE_NAME + ".lock");
      try (FileChannel channel = FileChannel.open(lockFile,
              java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), OWNER_ONLY);
          FileLock lock = channel.lock()) {
        List<Identity> all = new ArrayList<>(read());
        T result = mutation.apply(all);
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, OWNER_ONLY); // the keys are secrets: readable by the server's user only
        Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          c.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        reload();
        return result;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + file, e);
    }
  }

  private List<Identity> read() throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return Json.MAPPER.readValue(file.toFile(), LIST);
  }

  private void reloadIfChanged() {
    try {
      long mtime = Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() : -1;
      if (mtime != loadedMtime) {
        reload();
      }
    } catch (IOException e) {
      // keep the identities we have; the next check tries again
    }
  }

  private synchronized void reload() {
    try {
      long mtime = Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() : -1;
      Map<String, Identity> map = new ConcurrentHashMap<>();
      Map<String, NamespaceLimits> limits = new ConcurrentHashMap<>();
      for (Identity i : read()) {
        map.put(i.uuid(), i);
        if (i.limits() != null) {
          limits.put(i.namespace(), i.limits());
        }
      }
      byUuid = map;
      limitsByNamespace = limits;
      loadedMtime = mtime;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read identities from " + file, e);
    }
  }
}

package io.hpcwhisk.balancer.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.testkit.LocalAttacker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys are kept as salted HMAC-SHA256 digests: what the file holds tells nothing of a key, only the
 * exact key authenticates, a plaintext file of an older version is migrated, and the keys issued to
 * running activations authenticate as their caller with the activation as origin, while they run.
 */
class IdentityStoreTest {

  @TempDir Path dir;

  @Test
  void aCreatedKeyAuthenticatesAndTheFileKeepsNoPartOfIt() throws Exception {
    IdentityStore store = new IdentityStore(dir);
    Identity alice = store.create("alice");
    Optional<Identity> in = store.authenticate(alice.uuid(), alice.key());
    assertThat(in).map(Identity::namespace).contains("alice");
    assertThat(in.get().origin()).isNull();
    assertThat(in.get().chainDepth()).isZero();
    String file = Files.readString(dir.resolve(IdentityStore.FILE_NAME));
    assertNoPartOf(alice.key(), file);
    assertThat(file)
        .contains("\"keyDigest\"", "\"salt\"", "\"hmac\"", "\"fingerprint\"")
        .doesNotContain("\"key\"");
    assertThat(store.list())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.fingerprint())
                  .isEqualTo(KeyDigest.fingerprint(alice.uuid(), alice.key()))
                  .hasSize(16);
              assertNoPartOf(alice.key(), u.toString());
            });
    assertNoPartOf(alice.key(), alice.toString());
    // a second store object (the server beside the admin command) reads the digests and verifies
    // too
    assertThat(new IdentityStore(dir).authenticate(alice.uuid(), alice.key())).isPresent();
  }

  @Test
  void wrongKeysOfTheRightLengthAreRefused() {
    IdentityStore store = new IdentityStore(dir);
    Identity alice = store.create("alice");
    Identity bob = store.create("bob");
    assertThat(store.authenticate(alice.uuid(), alice.key()))
        .isPresent(); // now remembered as verified
    char[] flipped = alice.key().toCharArray();
    flipped[63] = flipped[63] == 'a' ? 'b' : 'a';
    assertThat(store.authenticate(alice.uuid(), new String(flipped)))
        .as("last character changed")
        .isEmpty();
    flipped = alice.key().toCharArray();
    flipped[0] = flipped[0] == 'a' ? 'b' : 'a';
    assertThat(store.authenticate(alice.uuid(), new String(flipped)))
        .as("first character changed")
        .isEmpty();
    assertThat(store.authenticate(alice.uuid(), bob.key())).as("another user's key").isEmpty();
    assertThat(store.authenticate(alice.uuid(), "x".repeat(64))).isEmpty();
    assertThat(store.authenticate(alice.uuid(), alice.key().substring(0, 63)))
        .as("one character short")
        .isEmpty();
    assertThat(store.authenticate(alice.uuid(), alice.key() + "x"))
        .as("one character more")
        .isEmpty();
    assertThat(store.authenticate(alice.uuid(), "")).isEmpty();
    assertThat(store.authenticate("00000000-0000-0000-0000-000000000000", alice.key()))
        .as("unknown uuid")
        .isEmpty();
    assertThat(store.authenticate(Identity.GUEST.uuid(), Identity.GUEST.key()))
        .as("guest not allowed")
        .isEmpty();
    assertThat(store.authenticate(alice.uuid(), alice.key()))
        .as("the right key still works")
        .isPresent();
  }

  @Test
  void theGuestKeyWorksWhenAllowedAndIsNeverWritten() throws Exception {
    IdentityStore store = new IdentityStore(dir);
    store.create("alice");
    store.allowGuest();
    assertThat(store.authenticate(Identity.GUEST.uuid(), Identity.GUEST.key()))
        .map(Identity::namespace)
        .contains("guest");
    assertThat(Files.readString(dir.resolve(IdentityStore.FILE_NAME))).doesNotContain("guest");
  }

  @Test
  void aPlaintextFileOfAnOlderVersionIsRewrittenWithDigestsAtStart() throws Exception {
    String key = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz01";
    String uuid = "11111111-2222-3333-4444-555555555555";
    Path file = dir.resolve(IdentityStore.FILE_NAME);
    Files.writeString(
        file,
        "[ {\"subject\":\"carol\",\"namespace\":\"carol\",\"uuid\":\""
            + uuid
            + "\",\"key\":\""
            + key
            + "\",\"limits\":{\"invocationsPerMinute\":7}} ]");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    IdentityStore store = new IdentityStore(dir);
    String migrated = Files.readString(file);
    assertNoPartOf(key, migrated);
    assertThat(migrated).contains("keyDigest", uuid, "carol");
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(store.authenticate(uuid, key)).map(Identity::namespace).contains("carol");
    assertThat(store.limitsOf("carol").invocationsPerMinute()).as("limits kept").isEqualTo(7);
    assertThat(store.list())
        .singleElement()
        .extracting(StoredUser::fingerprint)
        .isEqualTo(KeyDigest.fingerprint(uuid, key));
    // and the next start reads the digests as they are
    assertThat(new IdentityStore(dir).authenticate(uuid, key)).isPresent();
    assertThat(Files.readString(file)).isEqualTo(migrated);
  }

  @Test
  void anActivationsKeyAuthenticatesAsItsCallerWhileItRunsAndCarriesItsOrigin() {
    IdentityStore store = new IdentityStore(dir);
    Identity created = store.create("dave");
    Identity dave = store.authenticate(created.uuid(), created.key()).orElseThrow();
    Identity issued = store.activationKeys().issue(dave, "a1", dave.chainDepth());
    assertThat(issued.key()).isNotEqualTo(dave.key()).hasSize(64);
    Identity caller = store.authenticate(issued.uuid(), issued.key()).orElseThrow();
    assertThat(caller.namespace()).isEqualTo("dave");
    assertThat(caller.cause()).isEqualTo("a1");
    assertThat(caller.chainDepth()).isEqualTo(1);
    Identity deeper = store.activationKeys().issue(caller, "a2", caller.chainDepth());
    assertThat(store.authenticate(deeper.uuid(), deeper.key()).orElseThrow().chainDepth())
        .isEqualTo(2);
    store.activationKeys().revoke(issued);
    assertThat(store.authenticate(issued.uuid(), issued.key()))
        .as("its activation ended")
        .isEmpty();
    store.delete("dave");
    assertThat(store.authenticate(deeper.uuid(), deeper.key()))
        .as("its user was deleted")
        .isEmpty();
    assertThat(Files.exists(dir.resolve(IdentityStore.FILE_NAME))).isTrue();
  }

  @Test
  void anotherLocalUserCannotReadTheFileAndItWouldTellNoKeyAnyway() throws Exception {
    LocalAttacker attacker = LocalAttacker.ensure();
    Files.setPosixFilePermissions(
        dir, PosixFilePermissions.fromString("rwxr-xr-x")); // only the file's mode protects
    IdentityStore store = new IdentityStore(dir);
    Identity alice = store.create("alice");
    Path file = dir.resolve(IdentityStore.FILE_NAME);
    LocalAttacker.Result read = attacker.run(Duration.ofSeconds(10), "cat", file.toString());
    assertThat(read.exitCode()).as("cat as " + LocalAttacker.NAME).isNotZero();
    assertThat(read.stderr()).contains("Permission denied");
    assertNoPartOf(alice.key(), read.all());
    // what a reader with the file (a backup, root, the owner) learns: no part of the key
    assertNoPartOf(alice.key(), Files.readString(file));
  }

  /** Not even 12 characters in a row of the key appear in {@code text}. */
  static void assertNoPartOf(String key, String text) {
    for (int i = 0; i + 12 <= key.length(); i++) {
      assertThat(text).as("no part of the key").doesNotContain(key.substring(i, i + 12));
    }
  }
}

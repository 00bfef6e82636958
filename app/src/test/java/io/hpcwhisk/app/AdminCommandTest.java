package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.auth.IdentityStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hpc-whisk admin user create|list|rotate|delete}: create and rotate print a key once,
 * nothing shows or stores it afterwards; bad input is refused with one line.
 */
class AdminCommandTest {

  @TempDir Path tmp;

  private record Outcome(int exitCode, String out, String err) {}

  private Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = HpcWhisk.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void createListDelete() throws Exception {
    String dir = tmp.toString();
    Outcome created = run("admin", "user", "create", "alice", "--data-dir", dir);
    assertThat(created.exitCode()).isZero();
    String key = created.out().trim();
    assertThat(key).matches("[0-9a-f-]{36}:[0-9A-Za-z]{64}");
    String uuid = key.substring(0, 36);
    String secret = key.substring(37);
    String fingerprint =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)))
            .substring(0, 16);
    String listed = run("admin", "user", "list", "--data-dir", dir).out();
    assertThat(listed)
        .as("list shows uuid and fingerprint (sha256sum of uuid:key, 16 digits)")
        .contains("alice\t" + uuid + "\t" + fingerprint);
    assertNoPartOf(secret, listed);
    assertNoPartOf(secret, Files.readString(tmp.resolve("identities.json")));
    assertThat(Files.getPosixFilePermissions(tmp.resolve("identities.json")))
        .as("keys are readable by their owner only")
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    Outcome again = run("admin", "user", "create", "alice", "--data-dir", dir);
    assertThat(again.exitCode()).isNotZero();
    assertThat(again.err())
        .contains("namespace 'alice' already has a user")
        .doesNotContain("\tat ");
    assertThat(run("admin", "user", "delete", "alice", "--data-dir", dir).exitCode()).isZero();
    assertThat(run("admin", "user", "list", "--data-dir", dir).out()).doesNotContain("alice");
  }

  @Test
  void aNamespaceCanHaveItsOwnLimits() {
    String dir = tmp.toString();
    assertThat(
            run("admin", "user", "create", "carol", "--fires-per-minute", "7", "--data-dir", dir)
                .exitCode())
        .isZero();
    assertThat(run("admin", "user", "limits", "carol", "--data-dir", dir).out())
        .contains("fires-per-minute: 7", "invocations-per-minute: default");
    assertThat(
            run(
                    "admin",
                    "user",
                    "limits",
                    "carol",
                    "--invocations-per-minute",
                    "100",
                    "--data-dir",
                    dir)
                .out())
        .contains("fires-per-minute: 7", "invocations-per-minute: 100");
    Outcome zero =
        run("admin", "user", "limits", "carol", "--concurrent-invocations", "0", "--data-dir", dir);
    assertThat(zero.exitCode()).isNotZero();
    assertThat(zero.err()).contains("concurrent-invocations must be at least 1, got 0");
  }

  @Test
  void illegalNamespacesAndUnknownUsersAreRefused() {
    Outcome bad = run("admin", "user", "create", "no/slashes", "--data-dir", tmp.toString());
    assertThat(bad.exitCode()).isNotZero();
    assertThat(bad.err()).contains("The namespace contains illegal characters.");
    Outcome missing = run("admin", "user", "delete", "bob", "--data-dir", tmp.toString());
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.err()).contains("no user owns namespace 'bob'");
  }

  @Test
  void rotateGivesANewKeyOnceAndTheOldOneStopsWorking() throws Exception {
    String dir = tmp.toString();
    String old = run("admin", "user", "create", "erin", "--data-dir", dir).out().trim();
    Outcome rotated = run("admin", "user", "rotate", "erin", "--data-dir", dir);
    assertThat(rotated.exitCode()).isZero();
    String fresh = rotated.out().trim();
    assertThat(fresh)
        .matches("[0-9a-f-]{36}:[0-9A-Za-z]{64}")
        .startsWith(old.substring(0, 37))
        .isNotEqualTo(old);
    IdentityStore store = new IdentityStore(tmp);
    assertThat(store.authenticate(old.substring(0, 36), old.substring(37)))
        .as("the old key")
        .isEmpty();
    assertThat(store.authenticate(fresh.substring(0, 36), fresh.substring(37)))
        .as("the new key")
        .isPresent();
    assertNoPartOf(fresh.substring(37), run("admin", "user", "list", "--data-dir", dir).out());
    Outcome missing = run("admin", "user", "rotate", "nobody", "--data-dir", dir);
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.err()).contains("no user owns namespace 'nobody'").doesNotContain("\tat ");
  }

  @Test
  void theHelpSaysKeysArePrintedOnceAndHowToFindAFingerprint() {
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream original = System.err;
    Outcome help;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      help = run("admin", "user", "--help");
    } finally {
      System.setErr(original);
    }
    assertThat(help.out().replaceAll("\\s+", " "))
        .contains("rotate", "only a salted digest", "printf %s \"$AUTH\" | sha256sum | cut -c1-16");
    assertThat(stderr.toString(StandardCharsets.UTF_8) + help.err())
        .as("picocli could format every description")
        .doesNotContain("Could not format");
  }

  /** Not even 12 characters in a row of the key appear in {@code text}. */
  static void assertNoPartOf(String key, String text) {
    for (int i = 0; i + 12 <= key.length(); i++) {
      assertThat(text).as("no part of the key").doesNotContain(key.substring(i, i + 12));
    }
  }
}

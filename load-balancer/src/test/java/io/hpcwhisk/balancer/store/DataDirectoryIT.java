package io.hpcwhisk.balancer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.invoke.FakeDispatcher;
import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.testkit.LocalAttacker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory against an unprivileged local user ({@link LocalAttacker}, a real account): it
 * cannot read the store file, the journal or any other file of a running server whose users stored
 * secret parameters; a group- or world-writable data directory is refused at start with the fix;
 * readable modes left by an older server are tightened.
 */
class DataDirectoryIT {

  private static final String SECRET = "s3cr3t-password-of-bob-0123456789";

  @TempDir Path tmp;
  private Path parent;

  @BeforeEach
  void reachableParent() throws Exception {
    // a directory every local user may enter, as /var/lib is: only the data directory's own modes
    // protect it
    parent = tmp.resolve("var-lib");
    Files.createDirectories(parent);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static List<Path> everything(Path dir) throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.toList();
    }
  }

  @Test
  void aLocalUserCannotReadAnythingInTheDataDirectoryOfARunningServer() throws Exception {
    LocalAttacker attacker = LocalAttacker.ensure();
    Path data = parent.resolve("hpc-whisk");
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(ServerConfig.DEFAULT.api().withPort(0).withGuest(false))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(data.toString()));
    try (WhiskServer server =
        WhiskServer.start(config, (clock, host) -> new FakeDispatcher(), "test")) {
      PilotCredentials.inDataDir(data); // the pilot secret, as with --executor pilots
      ApiClient bob =
          new ApiClient(
              "http://127.0.0.1:" + server.address().getPort(),
              server.identities().create("bob").authKey());
      assertThat(
              bob.put(
                      "/api/v1/namespaces/_/actions/a",
                      "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"x\"},"
                          + "\"parameters\":[{\"key\":\"password\",\"value\":\""
                          + SECRET
                          + "\"}]}")
                  .status())
          .isEqualTo(200);
      assertThat(
              bob.post("/api/v1/namespaces/_/actions/a?blocking=true", "{\"p\":\"" + SECRET + "\"}")
                  .status())
          .isEqualTo(200);
      assertThat(Journal.segments(data)).isNotEmpty();

      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
          .isEqualTo("rwx------");
      List<Path> files = everything(data).stream().filter(Files::isRegularFile).toList();
      assertThat(files)
          .extracting(p -> p.getFileName().toString())
          .contains(MvStoreDatabase.FILE_NAME, "identities.json", "pilot-secret")
          .anyMatch(n -> n.startsWith("hpc-whisk.journal."));
      for (Path f : files) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
            .as(f.toString())
            .isEqualTo("rw-------");
        assertThat(attacker.canRead(f)).as("the attacker reads " + f).isFalse();
      }
      LocalAttacker.Result grep =
          attacker.shell(
              Duration.ofSeconds(30),
              "ls -la '"
                  + data
                  + "'; grep -r -a -l '"
                  + SECRET
                  + "' '"
                  + data
                  + "'; cat '"
                  + data
                  + "'/*");
      assertThat(grep.all()).doesNotContain(SECRET).contains("Permission denied");
      assertThat(
              Files.readString(data.resolve(MvStoreDatabase.FILE_NAME), StandardCharsets.ISO_8859_1)
                  + String.join(
                      "",
                      files.stream()
                          .filter(p -> p.getFileName().toString().startsWith("hpc-whisk.journal"))
                          .map(
                              p -> {
                                try {
                                  return Files.readString(p, StandardCharsets.ISO_8859_1);
                                } catch (IOException e) {
                                  throw new UncheckedIOException(e);
                                }
                              })
                          .toList()))
          .as(
              "the secret is there (for its owner), so the attacker's failure to read it means"
                  + " something")
          .contains(SECRET);
    }
  }

  @Test
  void aGroupOrWorldWritableDataDirectoryIsRefusedWithTheFix() throws Exception {
    for (String mode : List.of("rwxrwxrwx", "rwxrwx---", "rwx---rwx")) {
      Path data = parent.resolve("open-" + mode.replace('-', '_'));
      Files.createDirectories(data);
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString(mode));
      assertThatThrownBy(() -> MvStoreDatabase.open(data))
          .as(mode)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(
              "refusing to start: the data directory " + data + " is group- or world-writable")
          .hasMessageContaining("(mode " + mode + ")")
          .hasMessageEndingWith("chmod 700 " + data);
      assertThat(Files.exists(data.resolve(MvStoreDatabase.FILE_NAME)))
          .as("nothing written")
          .isFalse();
    }
  }

  @Test
  void readableModesLeftByAnOlderServerAreTightenedAtStart() throws Exception {
    Path data = parent.resolve("old");
    try (MvStoreDatabase db = MvStoreDatabase.open(data)) {
      db.activations()
          .accept(
              new PendingActivation(
                  "a".repeat(32), "ns", "ns", "/ns/x", Json.MAPPER.createObjectNode(), 1, null, 0));
    }
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        data.resolve(MvStoreDatabase.FILE_NAME), PosixFilePermissions.fromString("rw-r--r--"));
    Path runtimes = Files.createDirectories(data.resolve("runtimes/x"));
    Files.setPosixFilePermissions(runtimes, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path tool = Files.writeString(runtimes.resolve("exec"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (MvStoreDatabase db = MvStoreDatabase.open(data)) {
      assertThat(db.activations().pending()).hasSize(1);
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data.resolve(MvStoreDatabase.FILE_NAME))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runtimes)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tool)))
        .as("the owner keeps its own bits")
        .isEqualTo("rwx------");
  }
}

package io.hpcwhisk.balancer.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.entity.ActionLimits;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.runtime.RuntimeConfig;
import io.hpcwhisk.testkit.Required;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local executor's namespace rule: without a working sandbox it serves no namespace, or only
 * the one of {@code api.local-unsandboxed-namespace}; with bubblewrap (as here, where it works) it
 * serves all.
 */
class LocalExecutorTenancyIT {

  @TempDir Path dir;

  private static RunOutcome run(LocalRuntimeDispatcher local, String namespace) throws Exception {
    long now = System.currentTimeMillis();
    RunRequest r =
        new RunRequest(
            ActivationIds.next(),
            namespace,
            EntityPath.of(namespace, "echo"),
            "0.0.1",
            new Exec(
                "nodejs:20", "function main(p) { return { ok: true }; }", false, null, null, null),
            new ActionLimits(10_000, 128, 10, 1),
            Json.MAPPER.createObjectNode(),
            null,
            now + 10_000,
            true);
    return local.dispatch(r).get(60, TimeUnit.SECONDS);
  }

  @Test
  void withoutSandboxAndOptOutNoNamespaceRunsAndEachRefusalIsCounted() throws Exception {
    try (LocalRuntimeDispatcher local =
        new LocalRuntimeDispatcher(
            RuntimeConfig.defaults(dir, 512).withSandbox(RuntimeConfig.Sandbox.OFF),
            () -> "http://127.0.0.1:1",
            InstantSource.system())) {
      RunOutcome alice = run(local, "alice");
      RunOutcome bob = run(local, "bob");

      for (RunOutcome o : List.of(alice, bob)) {
        assertThat(o.response().statusCode()).as(o.toString()).isNotZero();
        assertThat(o.response().result().toString())
            .contains("without a sandbox and serves no namespace");
      }
      assertThat(local.refused()).isEqualTo(2);
    }
  }

  @Test
  void theSingleTenantOptOutRunsOnlyItsNamespace() throws Exception {
    try (LocalRuntimeDispatcher local =
        new LocalRuntimeDispatcher(
            RuntimeConfig.defaults(dir, 512)
                .withSandbox(RuntimeConfig.Sandbox.OFF)
                .withUnsandboxedNamespace("alice"),
            () -> "http://127.0.0.1:1",
            InstantSource.system())) {
      RunOutcome alice = run(local, "alice");
      RunOutcome bob = run(local, "bob");

      assertThat(alice.response().statusCode()).as(alice.toString()).isZero();
      assertThat(bob.response().statusCode()).as(bob.toString()).isNotZero();
      assertThat(bob.response().result().toString())
          .contains("serves only namespace alice, not bob");
      assertThat(local.refused()).isEqualTo(1);
      assertThat(local.description()).contains("unsandboxed, only namespace alice");
    }
  }

  @Test
  void withAWorkingSandboxEveryNamespaceRuns() throws Exception {
    try (LocalRuntimeDispatcher local =
        new LocalRuntimeDispatcher(
            RuntimeConfig.defaults(dir, 512), () -> "http://127.0.0.1:1", InstantSource.system())) {
      Required.on(local.sandboxed(), "bubblewrap does not work here");
      assertThat(run(local, "alice").response().statusCode()).isZero();
      assertThat(run(local, "bob").response().statusCode()).isZero();
      assertThat(local.refused()).isZero();
    }
  }

  /**
   * An action run by the server's local executor cannot read the server's data directory (store,
   * pilot secret).
   */
  @Test
  void aSandboxedLocalActionCannotReadTheServersDataDirectory() throws Exception {
    // outside /tmp (which the sandbox hides anyway) and world-readable: only the data-dir rule
    // hides it
    Path data = Files.createTempDirectory(Path.of("/var/tmp"), "hpcw-data-");
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path secret = Files.writeString(data.resolve("pilot-secret"), "s3cret");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
    Path dir = data;
    try (ActivationDispatcher local =
        Dispatchers.forExecutor(
            "local", InstantSource.system(), () -> "http://127.0.0.1:1", data, 512, null)) {
      Required.on(((LocalRuntimeDispatcher) local).sandboxed(), "bubblewrap does not work here");
      long now = System.currentTimeMillis();
      RunOutcome o =
          local
              .dispatch(
                  new RunRequest(
                      ActivationIds.next(),
                      "mallory",
                      EntityPath.of("mallory", "spy"),
                      "0.0.1",
                      new Exec(
                          "nodejs:20",
                          "const fs = require('fs'); function main() { let r;"
                              + " try { r = fs.readFileSync('"
                              + secret
                              + "', 'utf8'); } catch (e) { r = 'denied: ' + e.code; }"
                              + " return { read: r, listed: (() => { try { return fs.readdirSync('"
                              + dir
                              + "'); }"
                              + " catch (e) { return []; } })() }; }",
                          false,
                          null,
                          null,
                          null),
                      new ActionLimits(10_000, 128, 10, 1),
                      Json.MAPPER.createObjectNode(),
                      null,
                      now + 10_000,
                      true))
              .get(60, TimeUnit.SECONDS);

      assertThat(o.response().statusCode()).as(o.toString()).isZero();
      assertThat(o.response().result().get("read").asText()).startsWith("denied");
      assertThat(o.response().result().get("listed").toString()).doesNotContain("pilot-secret");
    } finally {
      try (var paths = Files.walk(data)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}

package io.hpcwhisk.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runtime files after a kill -9: a pool starts in a directory of its own, removes what dead earlier
 * starts (and the old layout) left, leaves a live process's directory alone, and removes its own on
 * close.
 */
class RuntimeDirsTest {

  @TempDir Path dir;

  @Test
  void eachStartHasItsOwnDirectoryAndLeftoversOfDeadStartsGo() throws Exception {
    Path work = dir.resolve("runtimes");
    // what a killed process left: its start directory with a fifo-named file, and the old layout's
    // 1-... dir
    long dead = deadPid();
    Path stale =
        Files.createDirectories(work.resolve("start-" + dead + "-1/actions/1-guest_echo_0.0.1"));
    Files.writeString(stale.resolve("fd3"), "");
    Files.createDirectories(work.resolve("actions/1-guest_echo_0.0.1"));
    Files.writeString(work.resolve("actions/1-guest_echo_0.0.1/fd3"), "");
    // a live process's directory (this JVM's parent stands in for another running server) stays
    long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
    Path other = Files.createDirectories(work.resolve("start-" + live + "-7"));
    Files.writeString(work.resolve("unrelated.txt"), "kept");

    ActionRuntimes runtimes =
        new ActionRuntimes(
            RuntimeConfig.defaults(work, 512).withSandbox(RuntimeConfig.Sandbox.OFF));
    Path own = runtimes.directory();
    assertThat(own.getParent()).isEqualTo(work);
    assertThat(own.getFileName().toString())
        .startsWith("start-" + ProcessHandle.current().pid() + "-");
    assertThat(work.resolve("start-" + dead + "-1")).doesNotExist();
    assertThat(work.resolve("actions")).doesNotExist();
    assertThat(other).exists();
    assertThat(work.resolve("unrelated.txt")).exists();
    runtimes.warmUp(); // writes the launchers: into the start's own directory
    try (var top = Files.list(work)) {
      assertThat(top.map(p -> p.getFileName().toString()).toList())
          .containsExactlyInAnyOrder(
              own.getFileName().toString(), other.getFileName().toString(), "unrelated.txt");
    }

    ActionRuntimes second =
        new ActionRuntimes(
            RuntimeConfig.defaults(work, 512).withSandbox(RuntimeConfig.Sandbox.OFF));
    assertThat(second.directory()).isNotEqualTo(own).exists();
    assertThat(own).exists(); // the first pool of this live process is not a leftover
    second.close();
    runtimes.close();
    assertThat(own).doesNotExist();
    assertThat(second.directory()).doesNotExist();
  }

  @Test
  void startErrorsShowNoPathsOfThisMachine() {
    assertThat(
            ActionContainer.withoutPaths(
                "mkfifo /var/lib/hpc-whisk/data/runtimes/start-1-2/actions/1-x/fd3 failed:"
                    + " File exists"))
        .isEqualTo("mkfifo <path> failed: File exists");
    assertThat(ActionContainer.withoutPaths("Cannot run program \"/usr/bin/node\": error=2"))
        .doesNotContain("/usr/bin")
        .contains("error=2");
    assertThat(ActionContainer.withoutPaths(null)).isEqualTo("no detail");
  }

  /** A pid no process has now. */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long pid = p.pid();
    assertThat(ProcessHandle.of(pid)).isEmpty();
    return pid;
  }
}

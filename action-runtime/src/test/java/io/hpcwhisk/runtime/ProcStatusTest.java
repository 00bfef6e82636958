package io.hpcwhisk.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcStatusTest {

  @Test
  void aProcessTreeIsFoundThroughTheKernelsChildrenListsAsTheJdkFindsIt() throws Exception {
    Process shell = new ProcessBuilder("sh", "-c", "sleep 30 & (sleep 30 & wait) & wait").start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> shell.descendants().count() == 3);
      List<Long> expected = new ArrayList<>(List.of(shell.pid()));
      shell.descendants().forEach(d -> expected.add(d.pid()));

      assertThat(ProcStatus.tree(shell.pid())).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(ProcStatus.treeResidentKb(shell.pid()))
          .isGreaterThan(ProcStatus.residentKb(shell.pid()));
    } finally {
      shell.descendants().forEach(ProcessHandle::destroyForcibly);
      shell.destroyForcibly().waitFor();
    }
  }

  @Test
  void aProcessThatIsGoneHasNoTreeBeyondItselfAndNoMemory() throws Exception {
    Process done = new ProcessBuilder("true").start();
    done.waitFor();

    assertThat(ProcStatus.tree(done.pid())).containsExactly(done.pid());
    assertThat(ProcStatus.treeResidentKb(done.pid())).isZero();
  }
}

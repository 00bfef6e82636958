package io.hpcwhisk.balancer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.balancer.entity.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded MVStore, plus what is particular to it. */
class MvStoreDatabaseTest extends StoreContract {

  @Override
  Opened open(Path dir) {
    MvStoreDatabase db = MvStoreDatabase.open(dir);
    MvEntityStore entities = db.entities();
    MvActivationStore activations = db.activations();
    return new Opened() {
      @Override
      public EntityStore entities() {
        return entities;
      }

      @Override
      public ActivationStore activations() {
        return activations;
      }

      @Override
      public void close() {
        db.close();
      }
    };
  }

  @Test
  void aLazilyAcceptedActivationIsDurableAfterSyncOrWithItsRecord(@TempDir Path crashed) throws Exception {
    PendingActivation waiting = new PendingActivation("a".repeat(32), "ns", "ns", "/ns/x",
        Json.MAPPER.createObjectNode(), 5, null, 0);
    PendingActivation answered = new PendingActivation("b".repeat(32), "ns", "ns", "/ns/x",
        Json.MAPPER.createObjectNode(), 6, null, 0);
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      MvActivationStore s = db.activations();
      s.acceptLazily(waiting);
      s.sync().get(10, TimeUnit.SECONDS);
      s.acceptLazily(answered);
      s.completeAsync(record(answered.activationId(), "ns", "ns/x", 10)).get(10, TimeUnit.SECONDS);
      // the file as a SIGKILL would leave it now (closing commits everything, so copy it while open)
      Files.copy(db.file(), crashed.resolve(MvStoreDatabase.FILE_NAME));
    }
    try (MvStoreDatabase db = MvStoreDatabase.open(crashed)) {
      assertThat(db.activations().pending()).containsExactly(waiting);
      assertThat(db.activations().get("ns", answered.activationId())).isPresent();
    }
  }

  @Test
  void aSecondServerOnTheSameDataDirectoryIsRefusedClearly() {
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      assertThat(db.file()).exists();
      assertThatThrownBy(() -> MvStoreDatabase.open(dir)).hasMessageContaining("another hpc-whisk server");
    }
  }
}

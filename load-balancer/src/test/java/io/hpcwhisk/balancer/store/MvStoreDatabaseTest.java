package io.hpcwhisk.balancer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

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
  void aSecondServerOnTheSameDataDirectoryIsRefusedClearly() {
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      assertThat(db.file()).exists();
      assertThatThrownBy(() -> MvStoreDatabase.open(dir)).hasMessageContaining("another hpc-whisk server");
    }
  }
}

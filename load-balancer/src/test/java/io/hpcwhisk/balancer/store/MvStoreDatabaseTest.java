package io.hpcwhisk.balancer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.entity.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The store contract on the embedded MVStore, plus what is particular to it. */
class MvStoreDatabaseTest extends StoreContract {

  @Override
  Opened open(Path dir) {
    MvStoreDatabase db = MvStoreDatabase.open(dir);
    MvEntityStore entities = db.entities();
    MvActivationStore activations = db.activations();
    MvPilotBindingStore bindings = MvPilotBindingStore.open(db);
    return new Opened() {
      @Override
      public PilotBindingStore pilotBindings() {
        return bindings;
      }

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
  void aLazilyAcceptedActivationIsDurableAfterSyncOrWithItsRecord(@TempDir Path crashed)
      throws Exception {
    PendingActivation waiting =
        new PendingActivation(
            "a".repeat(32), "ns", "ns", "/ns/x", Json.MAPPER.createObjectNode(), 5, null, 0);
    PendingActivation answered =
        new PendingActivation(
            "b".repeat(32), "ns", "ns", "/ns/x", Json.MAPPER.createObjectNode(), 6, null, 0);
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      MvActivationStore s = db.activations();
      s.acceptLazily(waiting);
      s.sync().get(10, TimeUnit.SECONDS);
      s.acceptLazily(answered);
      s.completeAsync(record(answered.activationId(), "ns", "ns/x", 10)).get(10, TimeUnit.SECONDS);
      // the directory as a SIGKILL would leave it now (closing checkpoints everything, so copy it
      // while open)
      copyAsKilled(dir, crashed);
    }
    try (MvStoreDatabase db = MvStoreDatabase.open(crashed)) {
      assertThat(db.activations().pending()).containsExactly(waiting);
      assertThat(db.activations().get("ns", answered.activationId())).isPresent();
    }
  }

  /** Copies the store file and the journal segments, as a killed server leaves them. */
  private static void copyAsKilled(Path from, Path to) throws Exception {
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  @Test
  void committedChangesSurviveAKillThroughTheJournalAndTheReplayCleansItUp(@TempDir Path crashed)
      throws Exception {
    PendingActivation kept =
        new PendingActivation(
            "c".repeat(32), "ns", "ns", "/ns/x", Json.MAPPER.createObjectNode(), 5, null, 0);
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      MvActivationStore s = db.activations();
      for (int i = 0; i < 50; i++) {
        String id = String.format("%032x", i);
        s.acceptLazily(
            new PendingActivation(
                id, "ns", "ns", "/ns/x", Json.MAPPER.createObjectNode(), i, null, 0));
        s.completeAsync(record(id, "ns", "ns/x", 100 + i)).get(10, TimeUnit.SECONDS);
      }
      s.accept(kept);
      assertThat(Journal.segments(dir)).isNotEmpty();
      copyAsKilled(dir, crashed);
    }
    assertThat(Journal.segments(dir))
        .as("a clean close checkpoints and leaves no segment")
        .isEmpty();
    try (MvStoreDatabase db = MvStoreDatabase.open(crashed)) {
      assertThat(db.activations().pending()).containsExactly(kept);
      assertThat(db.activations().count("ns", new ActivationQuery(null, null, null, 0, 1000)))
          .isEqualTo(50);
      assertThat(Journal.segments(crashed))
          .as("replayed segments are checkpointed and deleted")
          .hasSize(1);
    }
  }

  @Test
  void aTornLastBatchIsIgnoredAndEverythingBeforeItKept(@TempDir Path crashed) throws Exception {
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      MvActivationStore s = db.activations();
      s.complete(record("d".repeat(32), "ns", "ns/x", 10));
      copyAsKilled(dir, crashed);
    }
    Path segment = Journal.segments(crashed).get(0);
    // half a batch: a length and checksum with no body, as a power loss may leave it
    Files.write(segment, new byte[] {0, 0, 1, 0, 1, 2, 3, 4, 1}, StandardOpenOption.APPEND);
    try (MvStoreDatabase db = MvStoreDatabase.open(crashed)) {
      assertThat(db.activations().get("ns", "d".repeat(32))).isPresent();
    }
  }

  @Test
  void aDamagedBatchInTheMiddleLosesOnlyItsActivationAndTheLogNamesIt(@TempDir Path crashed)
      throws Exception {
    List<String> ids = List.of("1".repeat(32), "2".repeat(32), "3".repeat(32));
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      MvActivationStore s = db.activations();
      for (String id : ids) {
        s.accept(
            new PendingActivation(
                id, "ns", "ns", "/ns/x", Json.MAPPER.createObjectNode(), 1, null, 0));
      }
      copyAsKilled(dir, crashed);
    }
    Path segment = Journal.segments(crashed).get(0);
    byte[] bytes = Files.readAllBytes(segment);
    int second = bytes.length / 3 + 25; // inside the second of three batches of the same size
    bytes[second] ^= 0x20;
    Files.write(segment, bytes);

    Logger logger = (Logger) LoggerFactory.getLogger(MvStoreDatabase.class);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    try (MvStoreDatabase db = MvStoreDatabase.open(crashed)) {
      assertThat(db.activations().pending())
          .extracting(PendingActivation::activationId)
          .containsExactlyInAnyOrder(ids.get(0), ids.get(2));
      assertThat(db.lostInReplay()).containsExactly(ids.get(1));
    } finally {
      logger.detachAppender(log);
    }
    assertThat(log.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("could not replay batch 1 ")
                    .contains(ids.get(1))
                    .contains("its checksum does not match")
                    .doesNotContain("never acknowledged"))
        .anySatisfy(
            line ->
                assertThat(line)
                    .isEqualTo(
                        "journal replay could not replay the changes to 1 activation(s): "
                            + ids.get(1)));
  }

  @Test
  void aStoreThatClosedItselfCallsTheFatalHandlerOnceAndTheJournalKeepsWhatWasAcknowledged(
      @TempDir Path crashed) throws Exception {
    List<Throwable> fatal = new CopyOnWriteArrayList<>();
    PendingActivation before =
        new PendingActivation(
            "e".repeat(32), "ns", "ns", "/ns/x", Json.MAPPER.createObjectNode(), 1, null, 0);
    MvStoreDatabase db = MvStoreDatabase.open(dir, fatal::add);
    try {
      db.activations().accept(before);
      // after a checkpoint: the change is in the file only, no longer in a journal segment
      Path first = Journal.segments(dir).get(0);
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(first));
      db.mvStore()
          .closeImmediately(); // what MVStore does to itself when a write fails (its "panic")
      copyAsKilled(dir, crashed);
      assertThatThrownBy(
              () ->
                  db.activations()
                      .accept(
                          new PendingActivation(
                              "f".repeat(32),
                              "ns",
                              "ns",
                              "/ns/x",
                              Json.MAPPER.createObjectNode(),
                              2,
                              null,
                              0)))
          .hasMessageContaining("closed");
      assertThatThrownBy(() -> db.activations().get("ns", "e".repeat(32))).isNotNull();
      assertThat(fatal).as("called once, with the failure").hasSize(1);
      assertThat(db.failed()).isTrue();
    } finally {
      db.close();
    }
    try (MvStoreDatabase again = MvStoreDatabase.open(crashed)) {
      assertThat(again.activations().pending()).containsExactly(before);
    }
  }

  @Test
  void anEntityThatDoesNotReadBackIsQuarantinedAndAbsentAndTheListStillAnswers() {
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      Action good =
          new Action(
              "ns",
              "good",
              "0.0.1",
              new Exec("nodejs:20", "code", false, null, null, null),
              null,
              null,
              null,
              false,
              1);
      db.entities().put(EntityPath.of("ns", "good"), good);
      // as a server before the JSON limits stored it: a parameter 999 levels deep
      String bad =
          "{\"type\":\"action\",\"entity\":{\"namespace\":\"ns\",\"name\":\"bad\",\"parameters\":"
              + "[{\"key\":\"k\",\"value\":"
              + "[".repeat(999)
              + "]".repeat(999)
              + "}]}}";
      map(db, "entities").put("ns/bad", bad);
      MvEntityStore entities = db.entities();
      assertThat(entities.list("ns", null, Action.class))
          .extracting(Action::name)
          .containsExactly("good");
      assertThat(entities.get(EntityPath.of("ns", "bad"))).isEmpty();
      assertThat(map(db, "quarantine").get("entities\u0001ns/bad")).isEqualTo(bad);
    }
  }

  private static StoreMap map(MvStoreDatabase db, String name) {
    return db.map(name);
  }

  @Test
  void aSecondServerOnTheSameDataDirectoryIsRefusedClearly() {
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      assertThat(db.file()).exists();
      assertThatThrownBy(() -> MvStoreDatabase.open(dir))
          .hasMessageContaining("another hpc-whisk server");
    }
  }
}

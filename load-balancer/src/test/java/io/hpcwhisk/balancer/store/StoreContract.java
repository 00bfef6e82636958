package io.hpcwhisk.balancer.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Trigger;
import io.hpcwhisk.balancer.entity.WhiskPackage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of the store ports, run here against the embedded MVStore implementation. A server
 * database implementing {@link EntityStore} and {@link ActivationStore} extends this class with its
 * own {@link #open}.
 */
abstract class StoreContract {

  /**
   * The two ports of one store instance over {@code dir}; closing it must release the directory.
   */
  interface Opened extends AutoCloseable {
    EntityStore entities();

    ActivationStore activations();

    @Override
    void close();
  }

  abstract Opened open(Path dir);

  @TempDir Path dir;

  private static Action action(String ns, String name) {
    return new Action(
        ns,
        name,
        "0.0.1",
        new Exec("nodejs:20", "function main(){}", false, null, null, null),
        null,
        null,
        null,
        false,
        1);
  }

  static ActivationRecord record(String id, String ns, String path, long start) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    return new ActivationRecord(
        id,
        ns,
        name,
        "0.0.1",
        ns,
        start,
        start + 10,
        10,
        ActivationResponse.success(Json.MAPPER.createObjectNode()),
        List.of("log"),
        List.of(new KeyValue("path", Json.tree(path))),
        false,
        null);
  }

  @Test
  void entitiesSurviveReopeningAndListByNamespaceAndPackage() {
    try (Opened db = open(dir)) {
      EntityStore s = db.entities();
      s.put(EntityPath.of("ns", "a"), action("ns", "a"));
      s.put(
          EntityPath.of("ns", "p"),
          new WhiskPackage("ns", "p", "0.0.1", false, null, null, null, 1));
      s.put(new EntityPath("ns", "p", "b"), action("ns/p", "b"));
      s.put(EntityPath.of("ns", "t"), new Trigger("ns", "t", "0.0.1", false, null, null, 1));
      s.put(EntityPath.of("ns2", "c"), action("ns2", "c"));
    }
    try (Opened db = open(dir)) {
      EntityStore s = db.entities();
      assertThat(s.get(EntityPath.of("ns", "a"))).containsInstanceOf(Action.class);
      assertThat(s.list("ns", null, Action.class))
          .extracting(Action::name)
          .containsExactly("a", "b");
      assertThat(s.list("ns", "p", Action.class)).extracting(Action::name).containsExactly("b");
      assertThat(s.list("ns", null, Trigger.class)).hasSize(1);
      assertThat(s.list("ns2", null, Action.class)).hasSize(1);
      assertThat(s.delete(EntityPath.of("ns", "a"))).isTrue();
      assertThat(s.delete(EntityPath.of("ns", "a"))).isFalse();
    }
  }

  @Test
  void pendingActivationsStayUntilCompletedAcrossReopening() {
    PendingActivation p =
        new PendingActivation(
            "a".repeat(32),
            "ns",
            "ns",
            "/ns/x",
            Json.MAPPER.createObjectNode().put("k", 1),
            5,
            null,
            0);
    try (Opened db = open(dir)) {
      db.activations().accept(p);
    }
    try (Opened db = open(dir)) {
      ActivationStore s = db.activations();
      assertThat(s.pending()).containsExactly(p);
      s.complete(record(p.activationId(), "ns", "ns/x", 10));
      assertThat(s.pending()).isEmpty();
    }
    try (Opened db = open(dir)) {
      assertThat(db.activations().pending()).isEmpty();
      assertThat(db.activations().get("ns", p.activationId())).isPresent();
      assertThat(db.activations().get("other", p.activationId()))
          .as("namespaces are isolated")
          .isEmpty();
    }
  }

  @Test
  void listsNewestFirstWithNameTimeAndPaging() {
    try (Opened db = open(dir)) {
      ActivationStore s = db.activations();
      for (int i = 0; i < 10; i++) {
        s.complete(
            record(
                String.format("%032d", i), "ns", i % 2 == 0 ? "ns/even" : "ns/pkg/odd", 1000 + i));
      }
      s.complete(record(String.format("%032d", 99), "other", "other/even", 5000));
      assertThat(s.list("ns", new ActivationQuery(null, null, null, 0, 3)))
          .extracting(ActivationRecord::start)
          .containsExactly(1009L, 1008L, 1007L);
      assertThat(s.list("ns", new ActivationQuery("even", null, null, 1, 2)))
          .extracting(ActivationRecord::start)
          .containsExactly(1006L, 1004L);
      assertThat(s.list("ns", new ActivationQuery("pkg/odd", 1003L, 1007L, 0, 30)))
          .extracting(ActivationRecord::start)
          .containsExactly(1007L, 1005L, 1003L);
      assertThat(s.count("ns", new ActivationQuery(null, null, null, 0, 0))).isEqualTo(10);
    }
  }

  @Test
  void expiresRecordsThatEndedBeforeTheCutoff() {
    try (Opened db = open(dir)) {
      ActivationStore s = db.activations();
      s.complete(record("1".repeat(32), "ns", "ns/a", 100));
      s.complete(record("2".repeat(32), "ns", "ns/a", 200));
      assertThat(s.expire(150)).isEqualTo(1);
      assertThat(s.get("ns", "1".repeat(32))).isEmpty();
      assertThat(s.list("ns", new ActivationQuery(null, null, null, 0, 30))).hasSize(1);
    }
  }
}

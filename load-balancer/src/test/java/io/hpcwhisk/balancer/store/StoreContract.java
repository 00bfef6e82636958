package io.hpcwhisk.balancer.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.ApiDoc;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Trigger;
import io.hpcwhisk.balancer.entity.WhiskPackage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of the store ports: every test here runs on the embedded MVStore ({@code
 * MvStoreDatabaseTest}) and on PostgreSQL ({@code PostgresStoreTest}, a private cluster). A store
 * implementing {@link EntityStore}, {@link ActivationStore} and {@link PilotBindingStore} extends
 * this class with its own {@link #open}; opening twice over the same {@code dir} must reach the
 * same data (a restart).
 */
abstract class StoreContract {

  /**
   * The two ports of one store instance over {@code dir}; closing it must release the directory.
   */
  interface Opened extends AutoCloseable {
    EntityStore entities();

    ActivationStore activations();

    PilotBindingStore pilotBindings();

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
  void apiDocumentsSurviveReopeningAndStayApartFromActions() {
    ObjectNode swagger = Json.MAPPER.createObjectNode();
    swagger.put("basePath", "/shop");
    swagger.putObject("paths").putObject("/books/{id}").putObject("get");
    EntityPath key = ApiDoc.pathFor("ns", "/shop");
    try (Opened db = open(dir)) {
      EntityStore s = db.entities();
      s.put(EntityPath.of("ns", "a"), action("ns", "a"));
      s.put(key, new ApiDoc("ns", key.name(), "0.0.1", "/shop", swagger, 5));
    }
    try (Opened db = open(dir)) {
      EntityStore s = db.entities();
      assertThat(s.list("ns", "default", ApiDoc.class))
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.basePath()).isEqualTo("/shop");
                assertThat(d.swagger()).isEqualTo(swagger);
              });
      assertThat(s.list("ns", null, Action.class))
          .as("an API is not an action")
          .extracting(Action::name)
          .containsExactly("a");
      assertThat(s.list("ns2", "default", ApiDoc.class)).isEmpty();
      assertThat(s.delete(key)).isTrue();
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

  static PendingActivation pending(String id, String ns, String action, ObjectNode payload) {
    return new PendingActivation(id, ns, ns, action, payload, 5, null, 0);
  }

  @Test
  void aSecondTerminalRecordIsNotWrittenTheFirstStaysAndThePendingEntryIsGone() {
    String id = "c".repeat(32);
    try (Opened db = open(dir)) {
      ActivationStore s = db.activations();
      s.accept(pending(id, "ns", "/ns/x", Json.MAPPER.createObjectNode()));
      s.complete(record(id, "ns", "ns/x", 100));
      s.complete(record(id, "ns", "ns/x", 200)); // e.g. a late result after a timeout record
      s.complete(record(id, "ns", "ns/x", 100)); // the same record again (recovery does this)
    }
    try (Opened db = open(dir)) {
      ActivationStore s = db.activations();
      assertThat(s.get("ns", id)).get().extracting(ActivationRecord::start).isEqualTo(100L);
      assertThat(s.list("ns", new ActivationQuery(null, null, null, 0, 30)))
          .extracting(ActivationRecord::activationId)
          .containsExactly(id);
      assertThat(s.count("ns", new ActivationQuery(null, null, null, 0, 0))).isEqualTo(1);
      assertThat(s.pending()).isEmpty();
    }
  }

  @Test
  void concurrentAcceptsAndCompletionsEachEndInExactlyOneRecordAndNoPendingEntry()
      throws Exception {
    int threads = 8;
    int each = 40;
    try (Opened db = open(dir)) {
      ActivationStore s = db.activations();
      var pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    String id = String.format("%016x%016x", thread, i);
                    s.accept(pending(id, "ns", "/ns/x", Json.MAPPER.createObjectNode()));
                    s.complete(record(id, "ns", "ns/x", 100 + i));
                    // a late duplicate (a result after a timeout record) races the next accept
                    s.complete(record(id, "ns", "ns/x", 999));
                  }
                  return null;
                }));
      }
      for (var f : done) {
        f.get();
      }
      pool.shutdown();
    }
    try (Opened db = open(dir)) {
      ActivationStore s = db.activations();
      assertThat(s.count("ns", new ActivationQuery(null, null, null, 0, 0)))
          .isEqualTo((long) threads * each);
      assertThat(s.pending()).isEmpty();
      assertThat(s.get("ns", String.format("%016x%016x", 3, 7)))
          .get()
          .extracting(ActivationRecord::start)
          .isEqualTo(107L);
    }
  }

  @Test
  void updatedPendingEntriesAndLazilyAcceptedOnesAfterSyncSurviveReopening() {
    PendingActivation a = pending("d".repeat(32), "ns", "/ns/x", Json.MAPPER.createObjectNode());
    PendingActivation b = pending("e".repeat(32), "ns", "/ns/y", Json.MAPPER.createObjectNode());
    try (Opened db = open(dir)) {
      ActivationStore s = db.activations();
      s.accept(a);
      s.updatePending(a.nextAttempt());
      s.acceptLazily(b);
      s.sync().join();
    }
    try (Opened db = open(dir)) {
      ActivationStore.PendingScan scan = db.activations().scanPending();
      assertThat(scan.readable()).containsExactlyInAnyOrder(a.nextAttempt(), b);
      assertThat(scan.unreadable()).isEmpty();
    }
  }

  @Test
  void pilotBindingsSurviveReopeningInScopeOrder() {
    PilotBinding one =
        new PilotBinding(
            "sub-b",
            "123",
            Instant.ofEpochMilli(1000),
            Duration.ofMinutes(5),
            Instant.ofEpochMilli(400_000),
            Optional.of(Path.of("/tmp/tok-b")));
    PilotBinding two =
        new PilotBinding(
            "sub-a",
            "124_7",
            Instant.ofEpochMilli(2000),
            Duration.ofMinutes(1),
            Instant.ofEpochMilli(90_000),
            Optional.empty());
    try (Opened db = open(dir)) {
      db.pilotBindings().put(one);
      db.pilotBindings().put(two);
      db.pilotBindings().put(two.withNotAfter(Instant.ofEpochMilli(95_000)));
    }
    try (Opened db = open(dir)) {
      PilotBindingStore s = db.pilotBindings();
      assertThat(s.all()).containsExactly(two.withNotAfter(Instant.ofEpochMilli(95_000)), one);
      assertThat(s.get("sub-b")).contains(one);
      assertThat(s.remove("sub-b")).isTrue();
      assertThat(s.remove("sub-b")).isFalse();
      assertThat(s.get("sub-b")).isEmpty();
    }
  }

  /** Values a hostile user controls that reach the store, built to break quoting and LIKE. */
  static final List<String> HOSTILE =
      List.of(
          "x'; DROP TABLE entities; --",
          "x\"; DROP TABLE activation_records; --",
          "' OR '1'='1",
          "%",
          "_",
          "a\\%_b",
          "\u00fcnic\u00f8de \ud83d\ude00 \u4e2d\u6587",
          "\\0 back\\slash $1 $$ ?");

  @Test
  void hostileNamesAnnotationsAndParametersAreStoredAsDataNeverAsSql() {
    try (Opened db = open(dir)) {
      EntityStore e = db.entities();
      ActivationStore s = db.activations();
      // legal entity names with SQL words (names themselves allow only [\w@ .-])
      String name = "x DROP TABLE entities --";
      List<KeyValue> kv = new ArrayList<>();
      for (int i = 0; i < HOSTILE.size(); i++) {
        kv.add(new KeyValue(HOSTILE.get(i), Json.tree(HOSTILE.get((i + 1) % HOSTILE.size()))));
      }
      Action hostile =
          new Action(
              "ns",
              name,
              "0.0.1",
              new Exec("nodejs:20", "function main(){}", false, null, null, null),
              kv,
              kv,
              null,
              false,
              1);
      e.put(EntityPath.of("ns", name), hostile);
      e.put(EntityPath.of("ns", "plain"), action("ns", "plain"));
      ObjectNode payload = Json.MAPPER.createObjectNode();
      for (String h : HOSTILE) {
        payload.put(h, h);
      }
      for (int i = 0; i < HOSTILE.size(); i++) {
        String id = String.format("%032d", i);
        s.accept(pending(id, "ns", "/ns/" + HOSTILE.get(i), payload));
        s.complete(record(id, "ns", "ns/pkg/" + HOSTILE.get(i), 1000 + i));
      }
      s.accept(pending("f".repeat(32), "ns", "/ns/x", payload));
    }
    try (Opened db = open(dir)) {
      EntityStore e = db.entities();
      ActivationStore s = db.activations();
      assertThat(e.get(EntityPath.of("ns", "x DROP TABLE entities --")))
          .get()
          .isInstanceOfSatisfying(
              Action.class,
              a -> {
                assertThat(a.annotations())
                    .extracting(KeyValue::key)
                    .containsExactlyElementsOf(HOSTILE);
                assertThat(a.parameters()).hasSize(HOSTILE.size());
              });
      assertThat(e.list("ns", null, Action.class)).hasSize(2);
      for (int i = 0; i < HOSTILE.size(); i++) {
        String h = HOSTILE.get(i);
        // each hostile name finds exactly its own record, as a name and as pkg/name
        assertThat(s.list("ns", new ActivationQuery(h, null, null, 0, 30)))
            .as("records named %s", h)
            .extracting(ActivationRecord::start)
            .containsExactly(1000L + i);
        assertThat(s.count("ns", new ActivationQuery("pkg/" + h, null, null, 0, 0)))
            .as("pkg/name %s", h)
            .isEqualTo(1);
        assertThat(s.get(h, String.format("%032d", i))).as("namespace %s", h).isEmpty();
        assertThat(s.get("ns", h)).as("id %s", h).isEmpty();
        assertThat(s.list(h, new ActivationQuery(null, null, null, 0, 30))).isEmpty();
        assertThat(e.list(h, null, Action.class)).isEmpty();
      }
      assertThat(s.list("ns", new ActivationQuery(null, null, null, 0, 100)))
          .hasSize(HOSTILE.size());
      assertThat(s.pending())
          .singleElement()
          .satisfies(p -> assertThat(p.payload().size()).isEqualTo(HOSTILE.size()));
      assertThat(s.pending().get(0).payload().get(HOSTILE.get(0)).asText())
          .isEqualTo(HOSTILE.get(0));
      assertThat(db.pilotBindings().get("sub-x' OR '1'='1")).isEmpty();
    }
  }
}

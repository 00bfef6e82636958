package io.hpcwhisk.balancer.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.store.ActivationQuery;
import io.hpcwhisk.balancer.store.MvStoreDatabase;
import io.hpcwhisk.balancer.store.PendingActivation;
import io.hpcwhisk.balancer.store.StoreBackdoor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivationServiceTest {

  @TempDir Path dir;
  private MvStoreDatabase db;
  private FakeDispatcher fake;
  private final Identity alice =
      new Identity("alice", "alice", "11111111-1111-1111-1111-111111111111", "k".repeat(64));

  @BeforeEach
  void open() {
    db = MvStoreDatabase.open(dir);
    fake = new FakeDispatcher();
  }

  @AfterEach
  void close() {
    fake.close();
    db.close();
  }

  private ActivationService service(ActivationDispatcher d, int perMinute) {
    return new ActivationService(
        new ActionResolver(db.entities()),
        db.activations(),
        d,
        new NamespaceThrottle(InstantSource.system(), perMinute, 100, 100),
        InstantSource.system(),
        50);
  }

  private void code(String name, List<KeyValue> params, List<KeyValue> annotations) {
    db.entities()
        .put(
            EntityPath.of("alice", name),
            new Action(
                "alice",
                name,
                "0.0.1",
                new Exec("nodejs:20", "code", false, null, null, null),
                annotations,
                params,
                null,
                false,
                1));
  }

  private void sequence(String name, String... components) {
    db.entities()
        .put(
            EntityPath.of("alice", name),
            new Action(
                "alice",
                name,
                "0.0.1",
                new Exec("sequence", null, null, null, null, List.of(components)),
                null,
                null,
                null,
                false,
                1));
  }

  private static ObjectNode obj(String json) {
    return (ObjectNode) Json.read(json, JsonNode.class);
  }

  @Test
  void anInvocationIsPendingUntilItsRecordIsWrittenWithMergedParameters() throws Exception {
    code("a", List.of(new KeyValue("x", Json.tree(1)), new KeyValue("y", Json.tree(1))), null);
    ActivationService.Accepted acc =
        service(fake, 100).invoke(alice, EntityPath.of("alice", "a"), obj("{\"y\":2}"));
    ActivationRecord r = acc.record().get(5, TimeUnit.SECONDS);
    assertThat(r.response().result().toString()).isEqualTo("{\"x\":1,\"y\":2}");
    assertThat(r.namespace()).isEqualTo("alice");
    assertThat(KeyValue.find(r.annotations(), "path").asText()).isEqualTo("alice/a");
    assertThat(KeyValue.find(r.annotations(), "initTime").asLong()).isEqualTo(3);
    assertThat(db.activations().pending()).isEmpty();
    assertThat(db.activations().get("alice", acc.activationId()).map(Json::write))
        .contains(Json.write(r));
  }

  @Test
  void aHeldActivationStaysPendingDurably() {
    code("a", null, null);
    ActivationService.Accepted acc =
        service(fake, 100).invoke(alice, EntityPath.of("alice", "a"), obj("{\"hold\":true}"));
    assertThat(acc.record()).isNotDone();
    assertThat(db.activations().pending())
        .extracting(PendingActivation::activationId)
        .containsExactly(acc.activationId());
  }

  @Test
  void aSequencePassesResultsAlongAndRecordsEachComponent() throws Exception {
    code("a", List.of(new KeyValue("fromA", Json.tree(true))), null);
    code("b", List.of(new KeyValue("fromB", Json.tree(true))), null);
    sequence("s", "/alice/a", "/alice/b");
    ActivationRecord r =
        service(fake, 100)
            .invoke(alice, EntityPath.of("alice", "s"), obj("{\"in\":1}"))
            .record()
            .get(5, TimeUnit.SECONDS);
    assertThat(r.response().result().toString())
        .isEqualTo("{\"fromB\":true,\"fromA\":true,\"in\":1}");
    assertThat(r.logs()).hasSize(2);
    assertThat(fake.requests).extracting(q -> q.action().name()).containsExactly("a", "b");
    for (String id : r.logs()) {
      assertThat(db.activations().get("alice", id))
          .get()
          .extracting(ActivationRecord::cause)
          .isEqualTo(r.activationId());
    }
  }

  @Test
  void aSequenceStopsAtTheFirstFailingComponent() throws Exception {
    code("a", List.of(new KeyValue("fail", Json.tree("application"))), null);
    code("b", null, null);
    sequence("s", "/alice/a", "/alice/b");
    ActivationRecord r =
        service(fake, 100)
            .invoke(alice, EntityPath.of("alice", "s"), obj("{}"))
            .record()
            .get(5, TimeUnit.SECONDS);
    assertThat(r.response().statusCode()).isEqualTo(1);
    assertThat(r.logs()).hasSize(1);
    assertThat(fake.requests).hasSize(1);
  }

  @Test
  void refusalsWriteNothing() {
    code("a", null, null);
    ActivationService s = service(fake, 1);
    s.invoke(alice, EntityPath.of("alice", "a"), obj("{}"));
    assertThatThrownBy(() -> s.invoke(alice, EntityPath.of("alice", "a"), obj("{}")))
        .isInstanceOf(Rejection.class)
        .extracting(e -> ((Rejection) e).status())
        .isEqualTo(429);
    assertThatThrownBy(() -> s.invoke(alice, EntityPath.of("alice", "missing"), obj("{}")))
        .extracting(e -> ((Rejection) e).status())
        .isEqualTo(404);
    assertThatThrownBy(() -> s.invoke(alice, EntityPath.of("bob", "a"), obj("{}")))
        .extracting(e -> ((Rejection) e).status())
        .isEqualTo(403);
    assertThat(db.activations().count("alice", new ActivationQuery(null, null, null, 0, 0)))
        .isEqualTo(1);
  }

  @Test
  void recoveryRedispatchesRetrySafeAndEndsTheOthersWithAReason() throws Exception {
    code("safe", null, null);
    code("unsafe", null, List.of(new KeyValue("retry-safe", Json.tree(false))));
    FakeDispatcher holding = new FakeDispatcher(true);
    ActivationService first = service(holding, 100);
    String safe =
        first.invoke(alice, EntityPath.of("alice", "safe"), obj("{\"n\":1}")).activationId();
    String unsafe = first.invoke(alice, EntityPath.of("alice", "unsafe"), obj("{}")).activationId();
    // as after a crash: the held runs are abandoned (never completed), a new service opens the same
    // store
    ActivationService second = service(fake, 100);
    ActivationService.Recovery recovery = second.recover();
    assertThat(recovery).isEqualTo(new ActivationService.Recovery(1, 1));
    Awaitility.await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> db.activations().get("alice", safe).isPresent());
    assertThat(db.activations().get("alice", safe).get().response().result().toString())
        .isEqualTo("{\"n\":1}");
    assertThat(
            db.activations().get("alice", unsafe).get().response().result().path("error").asText())
        .contains("not retry-safe");
    assertThat(db.activations().pending()).isEmpty();
  }

  /**
   * A blocking invocation still running when the server stops: its acceptance was kept in memory
   * only (the terminal record's commit would have made it durable). The shutdown must write it down
   * and must not hand its caller a record that was never stored (the executor's shutdown error):
   * the caller gets no record, so the API answers 202 with the id — at once, while the API still
   * runs — and the next start runs it again. Before, the activation was lost: the caller got an
   * error record with an id that no server ever knew again.
   */
  @Test
  void aBlockingInvocationRunningAtShutdownIsKeptForTheNextStart() throws Exception {
    code("a", null, null);
    FakeDispatcher holding = new FakeDispatcher(true);
    ActivationService first = service(holding, 100);
    ActivationService.Accepted acc =
        first.invoke(alice, EntityPath.of("alice", "a"), obj("{\"n\":7}"), true);
    assertThat(db.activations().pending()).as("kept in memory while the caller waits").isEmpty();

    assertThat(first.drain(Duration.ofMillis(50))).isEqualTo(1);
    assertThat(acc.record())
        .as("the caller is answered by the drain, before the executor (and the API) stop")
        .isCompletedExceptionally();
    holding.close(); // the executor stops: the held run fails
    assertThatThrownBy(() -> acc.record().get(5, TimeUnit.SECONDS))
        .as("no record that was never stored")
        .hasCauseInstanceOf(ActivationService.ShuttingDown.class);
    assertThat(db.activations().get("alice", acc.activationId())).isEmpty();
    assertThat(db.activations().pending())
        .extracting(PendingActivation::activationId)
        .containsExactly(acc.activationId());

    ActivationService second = service(fake, 100);
    assertThat(second.recover()).isEqualTo(new ActivationService.Recovery(1, 0));
    Awaitility.await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> db.activations().get("alice", acc.activationId()).isPresent());
    assertThat(
            db.activations().get("alice", acc.activationId()).get().response().result().toString())
        .isEqualTo("{\"n\":7}");
  }

  /** {"a":{"a":...}} nesting {@code depth} objects. */
  private static ObjectNode nested(int depth) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ObjectNode at = root;
    for (int i = 1; i < depth; i++) {
      at = at.putObject("a");
    }
    return root;
  }

  @Test
  void aResultOverTheJsonLimitsEndsAsADeveloperErrorWhoseRecordReadsBack() throws Exception {
    code("echo", null, null);
    ActivationService.Accepted acc =
        service(fake, 100)
            .invoke(alice, EntityPath.of("alice", "echo"), nested(Json.MAX_CONTENT_DEPTH + 1));
    ActivationRecord r = acc.record().get(5, TimeUnit.SECONDS);
    assertThat(r.response().statusCode()).isEqualTo(ActivationResponse.DEVELOPER_ERROR);
    assertThat(r.response().result().path("error").asText())
        .isEqualTo(
            "The action returned a result over the server's JSON limits: it nests deeper than the"
                + " limit of 200 levels of objects and arrays.");
    assertThat(db.activations().get("alice", acc.activationId()).map(Json::write))
        .contains(Json.write(r));
    assertThat(db.activations().list("alice", new ActivationQuery(null, null, null, 0, 10)))
        .extracting(Json::write)
        .contains(Json.write(r));
  }

  @Test
  void recoveryQuarantinesUnreadableEntriesEndsThemWithARecordAndGoesOn() throws Exception {
    code("a", null, null);
    String deep = "1".repeat(32);
    String garbage = "2".repeat(32);
    String good = "3".repeat(32);
    String brokenRecord = "4".repeat(32);
    // as the server before the JSON limits wrote it: a payload 999 levels deep, which does not read
    // back
    String deepJson =
        "{\"activationId\":\""
            + deep
            + "\",\"namespace\":\"alice\",\"subject\":\"alice\","
            + "\"action\":\"/alice/a\",\"payload\":"
            + "{\"a\":".repeat(998)
            + "{}"
            + "}".repeat(998)
            + ",\"acceptedAt\":7,\"cause\":null,\"attempts\":0}";
    StoreBackdoor.putRaw(db, "pending", deep, deepJson);
    StoreBackdoor.putRaw(db, "pending", garbage, "{\"activ\u0000 not json");
    db.activations()
        .accept(new PendingActivation(good, "alice", "alice", "/alice/a", obj("{}"), 1, null, 0));
    StoreBackdoor.putRaw(
        db,
        "activations",
        brokenRecord,
        "{\"activationId\":\""
            + brokenRecord
            + "\",\"namespace\":\"alice\",\"name\":\"a\",\"start\":5,\"end\":9,\"response\":"
            + "[".repeat(5000)
            + "]".repeat(5000)
            + "}");
    StoreBackdoor.putRaw(
        db,
        "activationsByNamespace",
        "alice\u0001" + String.format("%019d", Long.MAX_VALUE - 5) + "\u0001" + brokenRecord,
        "alice/a");

    ActivationService.Recovery recovery = service(fake, 100).recover();

    assertThat(recovery.redispatched()).isEqualTo(1);
    assertThat(recovery.ended()).isEqualTo(1);
    ActivationRecord ended = db.activations().get("alice", deep).orElseThrow();
    assertThat(ended.response().statusCode()).isEqualTo(ActivationResponse.WHISK_ERROR);
    assertThat(ended.response().result().path("error").asText())
        .contains(
            "its stored entry does not read back (the JSON nests deeper than the stored limit of"
                + " 232 levels")
        .contains("quarantine (pending/" + deep + ")");
    assertThat(StoreBackdoor.getRaw(db, "quarantine", "pending\u0001" + deep)).isEqualTo(deepJson);
    assertThat(StoreBackdoor.getRaw(db, "quarantine", "pending\u0001" + garbage))
        .as("kept even when nothing of it is legible")
        .isNotNull();
    Awaitility.await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> db.activations().get("alice", good).isPresent());
    assertThat(db.activations().pending()).isEmpty();
    assertThat(db.activations().scanPending().unreadable()).isEmpty();

    ActivationRecord replaced = db.activations().get("alice", brokenRecord).orElseThrow();
    assertThat(replaced.response().result().path("error").asText())
        .startsWith("The stored record of this activation does not read back");
    assertThat(replaced.start()).isEqualTo(5);
    assertThat(db.activations().list("alice", new ActivationQuery(null, null, null, 0, 10)))
        .extracting(ActivationRecord::activationId)
        .contains(deep, good, brokenRecord);
  }
}

package io.hpcwhisk.balancer.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.store.ActivationQuery;
import io.hpcwhisk.balancer.store.ActivationStore;
import io.hpcwhisk.balancer.store.MvStoreDatabase;
import io.hpcwhisk.balancer.store.PendingActivation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.awaitility.Awaitility;

/**
 * Whatever mix of invocations (succeeding, failing, hanging, sequences, retry-safe or not) and
 * server crashes happens, once the last server has recovered every accepted activation has exactly
 * one terminal record, written exactly once, and nothing is left pending.
 */
class OneTerminalRecordPropertyTest {

  private final Identity alice =
      new Identity("alice", "alice", "11111111-1111-1111-1111-111111111111", "k".repeat(64));

  enum Step {
    OK,
    FAIL,
    HOLD,
    SEQUENCE,
    UNSAFE_HOLD,
    CRASH
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    return Arbitraries.of(Step.class).list().ofMinSize(1).ofMaxSize(25);
  }

  /** Counts how often each record is written. */
  static final class CountingStore implements ActivationStore {
    final ActivationStore inner;
    final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();

    CountingStore(ActivationStore inner) {
      this.inner = inner;
    }

    @Override
    public void accept(PendingActivation p) {
      inner.accept(p);
    }

    @Override
    public void updatePending(PendingActivation p) {
      inner.updatePending(p);
    }

    @Override
    public void complete(ActivationRecord r) {
      writes.computeIfAbsent(r.activationId(), k -> new AtomicInteger()).incrementAndGet();
      inner.complete(r);
    }

    @Override
    public CompletableFuture<Void> completeAsync(ActivationRecord r) {
      writes.computeIfAbsent(r.activationId(), k -> new AtomicInteger()).incrementAndGet();
      return inner.completeAsync(r);
    }

    @Override
    public Optional<ActivationRecord> get(String namespace, String id) {
      return inner.get(namespace, id);
    }

    @Override
    public List<ActivationRecord> list(String namespace, ActivationQuery q) {
      return inner.list(namespace, q);
    }

    @Override
    public long count(String namespace, ActivationQuery q) {
      return inner.count(namespace, q);
    }

    @Override
    public List<PendingActivation> pending() {
      return inner.pending();
    }

    @Override
    public PendingScan scanPending() {
      return inner.scanPending();
    }

    @Override
    public int expire(long cutoff) {
      return inner.expire(cutoff);
    }
  }

  @Property(tries = 25)
  void everyAcceptedActivationEndsInExactlyOneRecord(@ForAll("steps") List<Step> steps)
      throws Exception {
    Path dir = Files.createTempDirectory("one-record");
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      put(db, "ok", List.of(), List.of());
      put(db, "fail", List.of(new KeyValue("fail", Json.tree("application"))), List.of());
      put(db, "unsafe", List.of(), List.of(new KeyValue("retry-safe", Json.tree(false))));
      db.entities()
          .put(
              EntityPath.of("alice", "seq"),
              new Action(
                  "alice",
                  "seq",
                  "0.0.1",
                  new Exec("sequence", null, null, null, null, List.of("/alice/ok", "/alice/ok")),
                  null,
                  null,
                  null,
                  false,
                  1));
      CountingStore store = new CountingStore(db.activations());
      List<String> accepted = new ArrayList<>();
      List<String> unsafeHeld = new ArrayList<>();
      ActivationService service = service(db, store, new FakeDispatcher());
      for (Step step : steps) {
        switch (step) {
          case OK ->
              accepted.add(
                  service.invoke(alice, EntityPath.of("alice", "ok"), obj("{}")).activationId());
          case FAIL ->
              accepted.add(
                  service.invoke(alice, EntityPath.of("alice", "fail"), obj("{}")).activationId());
          case HOLD ->
              accepted.add(
                  service
                      .invoke(alice, EntityPath.of("alice", "ok"), obj("{\"hold\":true}"))
                      .activationId());
          case SEQUENCE ->
              accepted.add(
                  service.invoke(alice, EntityPath.of("alice", "seq"), obj("{}")).activationId());
          case UNSAFE_HOLD -> {
            String id =
                service
                    .invoke(alice, EntityPath.of("alice", "unsafe"), obj("{\"hold\":true}"))
                    .activationId();
            accepted.add(id);
            unsafeHeld.add(id);
          }
          case CRASH -> {
            // the old service's held runs are abandoned, as a killed process's are; a new one
            // recovers
            awaitQuiet(store, db);
            service = service(db, store, new FakeDispatcher());
            service.recover();
          }
          default -> throw new IllegalStateException("unknown step " + step);
        }
      }
      awaitQuiet(store, db);
      // the last crash: nothing holds any more after this recovery (the payload still says hold, so
      // a retry-safe held activation would hang again: recover with a dispatcher that ignores it)
      FakeDispatcher echo = new FakeDispatcher();
      ActivationService last =
          service(
              db,
              store,
              new ActivationDispatcher() {
                @Override
                public CompletableFuture<RunOutcome> dispatch(RunRequest request) {
                  request.params().remove("hold");
                  return echo.dispatch(request);
                }

                @Override
                public String description() {
                  return "echo, ignoring hold";
                }
              });
      last.recover();
      Awaitility.await()
          .atMost(10, TimeUnit.SECONDS)
          .until(() -> db.activations().pending().isEmpty());
      Awaitility.await()
          .atMost(10, TimeUnit.SECONDS)
          .until(
              () ->
                  accepted.stream().allMatch(id -> db.activations().get("alice", id).isPresent()));
      for (String id : accepted) {
        assertThat(store.writes.get(id)).as("writes of " + id).hasValue(1);
      }
      for (String id : unsafeHeld) {
        assertThat(db.activations().get("alice", id).get().response().statusCode()).isEqualTo(3);
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Waits until every activation that can finish has finished (only held ones stay pending). */
  private static void awaitQuiet(CountingStore store, MvStoreDatabase db) {
    Awaitility.await()
        .atMost(10, TimeUnit.SECONDS)
        .pollInterval(5, TimeUnit.MILLISECONDS)
        .until(
            () ->
                db.activations().pending().stream()
                    .allMatch(p -> p.payload().path("hold").asBoolean(false)));
  }

  private ActivationService service(
      MvStoreDatabase db, ActivationStore store, ActivationDispatcher d) {
    return new ActivationService(
        new ActionResolver(db.entities()),
        store,
        d,
        new NamespaceThrottle(InstantSource.system(), 1_000_000, 1000, 1_000_000),
        InstantSource.system(),
        50);
  }

  private static void put(
      MvStoreDatabase db, String name, List<KeyValue> params, List<KeyValue> annotations) {
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

  private static ObjectNode obj(String json) {
    return (ObjectNode) Json.read(json, JsonNode.class);
  }
}

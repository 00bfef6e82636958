package io.hpcwhisk.balancer.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.store.ActivationStore;
import io.hpcwhisk.balancer.store.MvStoreDatabase;
import io.hpcwhisk.balancer.store.PendingActivation;
import io.hpcwhisk.balancer.store.StoreBackdoor;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage quota counts pending payloads and live records per namespace, over the real store: a
 * namespace over its quota is refused with the figures, others are not, ended activations move from
 * payload to record, expired records stop counting, and pending entries found at start count.
 */
class QuotaActivationStoreTest {

  private static final long HOUR = 3_600_000L;
  @TempDir Path dir;

  private static ObjectNode payload(int bytes) {
    return Json.MAPPER.createObjectNode().put("blob", "x".repeat(bytes));
  }

  private static PendingActivation pending(String id, String ns, int bytes) {
    return new PendingActivation(id, ns, ns, "/" + ns + "/a", payload(bytes), 0, null, 0);
  }

  private static ActivationRecord record(String id, String ns, int resultBytes, long end) {
    return new ActivationRecord(
        id,
        ns,
        "a",
        "0.0.1",
        ns,
        end,
        end,
        0,
        ActivationResponse.success(payload(resultBytes)),
        List.of(),
        List.of(),
        false,
        null);
  }

  @Test
  void aNamespaceOverItsQuotaIsRefusedWithTheFiguresAndOthersAreNot() throws Exception {
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      QuotaActivationStore store = new QuotaActivationStore(db.activations(), 100_000);
      store.accept(pending("a1", "alice", 60_000));
      assertThat(store.refusal("alice", 10_000)).isEmpty();
      store.accept(pending("a2", "alice", 30_000));
      assertThat(store.used("alice")).isBetween(90_000L, 92_000L);
      assertThat(store.refusal("alice", 10_000))
          .get()
          .asString()
          .contains(
              "The namespace 'alice' keeps",
              "its storage quota is 97 kB",
              "store.namespace-quota-mb");
      assertThat(store.refusal("bob", 10_000)).isEmpty();
      // a1 ends with a small result: its payload no longer counts, its record does
      store.complete(record("a1", "alice", 100, 5 * HOUR + 10));
      assertThat(store.used("alice")).isBetween(30_500L, 31_500L);
      assertThat(store.refusal("alice", 10_000)).isEmpty();
      // a record whose hour ended before the retention cutoff stops counting when it expires
      store.complete(record("a2", "alice", 50_000, 5 * HOUR + 20));
      assertThat(store.used("alice")).isGreaterThan(50_000L);
      store.expire(6 * HOUR + 1);
      assertThat(store.used("alice")).isZero();
    }
  }

  @Test
  void pendingEntriesFoundAtStartCount() throws Exception {
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      db.activations().accept(pending("p1", "carol", 80_000));
    }
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      QuotaActivationStore store = new QuotaActivationStore(db.activations(), 100_000);
      assertThat(store.used("carol")).isGreaterThan(80_000L);
      assertThat(store.refusal("carol", 30_000)).isPresent();
    }
  }

  @Test
  void anUnreadablePendingEntryReachesRecoveryThroughTheQuotaWrapper() throws Exception {
    try (MvStoreDatabase db = MvStoreDatabase.open(dir)) {
      String deep = "2".repeat(32);
      // as the server before the JSON limits wrote it: a payload 999 levels deep, which does not
      // read back
      StoreBackdoor.putRaw(
          db,
          "pending",
          deep,
          "{\"activationId\":\""
              + deep
              + "\",\"namespace\":\"alice\","
              + "\"subject\":\"alice\",\"action\":\"/alice/a\",\"payload\":"
              + "{\"a\":".repeat(998)
              + "{}"
              + "}".repeat(998)
              + ",\"acceptedAt\":7,\"cause\":null,\"attempts\":0}");
      db.activations().accept(pending("3".repeat(32), "alice", 10));
      QuotaActivationStore store = new QuotaActivationStore(db.activations(), 100_000);
      ActivationStore.PendingScan scan = store.scanPending();
      assertThat(scan.readable())
          .extracting(PendingActivation::activationId)
          .containsExactly("3".repeat(32));
      assertThat(scan.unreadable())
          .extracting(ActivationStore.UnreadablePending::activationId)
          .containsExactly(deep);
    }
  }

  /**
   * The wrapper hands every default method of {@link ActivationStore} on to the store it wraps: an
   * interface default left in place hides what the store does (its {@code adoptOrphans} default,
   * none, hid a dead server's pending activations from the surviving servers).
   */
  @Test
  void everyDefaultMethodOfTheStoreIsHandedOnNotLeftToTheInterface() throws Exception {
    for (Method m : ActivationStore.class.getMethods()) {
      if (m.isDefault()) {
        assertThat(
                QuotaActivationStore.class
                    .getMethod(m.getName(), m.getParameterTypes())
                    .getDeclaringClass())
            .as(m.toString())
            .isEqualTo(QuotaActivationStore.class);
      }
    }
  }
}

package io.hpcwhisk.core.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A bounded queue of waiting activations, first come first served within a namespace and round
 * robin across namespaces, so one busy namespace cannot starve the others. Not thread-safe: the
 * dispatcher holds its lock.
 *
 * <p>Algorithm: one FIFO per namespace in a ring; {@link #drain} visits the namespaces starting
 * after the one served last, offers each one's head to a placer and moves on; a namespace whose
 * head cannot be placed is skipped for the rest of the pass (its later entries wait behind it, as
 * in a FIFO). The pass repeats until a full round places nothing.
 *
 * <p>Example: namespace a has 100 waiting, b has 1; a pilot with room for 2 frees up: a's first and
 * b's only activation go, not a's first two.
 */
public final class FairQueue<T> {

  private final int capacity;
  private final Function<T, String> namespaceOf;
  private final LinkedHashMap<String, ArrayDeque<T>> byNamespace = new LinkedHashMap<>();
  private int size;
  private String servedLast;

  public FairQueue(int capacity, Function<T, String> namespaceOf) {
    this.capacity = capacity;
    this.namespaceOf = namespaceOf;
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Visits every waiting item, namespace by namespace, each namespace's in order. */
  public void forEach(Consumer<? super T> visitor) {
    byNamespace.values().forEach(q -> q.forEach(visitor));
  }

  /** Appends; false when the queue is full. */
  public boolean offer(T item) {
    if (size >= capacity) {
      return false;
    }
    byNamespace.computeIfAbsent(namespaceOf.apply(item), k -> new ArrayDeque<>()).addLast(item);
    size++;
    return true;
  }

  /** Puts an item back at the head of its namespace (re-dispatch goes first); ignores the bound. */
  public void offerFirst(T item) {
    byNamespace.computeIfAbsent(namespaceOf.apply(item), k -> new ArrayDeque<>()).addFirst(item);
    size++;
  }

  public boolean remove(T item) {
    ArrayDeque<T> q = byNamespace.get(namespaceOf.apply(item));
    if (q != null && q.remove(item)) {
      size--;
      if (q.isEmpty()) {
        byNamespace.remove(namespaceOf.apply(item));
      }
      return true;
    }
    return false;
  }

  /** Removes and returns every item matching {@code expired}. */
  public List<T> removeIf(Predicate<T> expired) {
    List<T> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, ArrayDeque<T>>> it = byNamespace.entrySet().iterator();
        it.hasNext(); ) {
      ArrayDeque<T> q = it.next().getValue();
      for (Iterator<T> items = q.iterator(); items.hasNext(); ) {
        T item = items.next();
        if (expired.test(item)) {
          items.remove();
          out.add(item);
        }
      }
      if (q.isEmpty()) {
        it.remove();
      }
    }
    size -= out.size();
    return out;
  }

  /**
   * Offers heads round robin to {@code placer} (true = placed, removed) until a round places
   * nothing.
   */
  public int drain(Predicate<T> placer) {
    int placed = 0;
    boolean progress = true;
    while (progress && size > 0) {
      progress = false;
      List<String> order = rotation();
      for (String ns : order) {
        ArrayDeque<T> q = byNamespace.get(ns);
        if (q == null || q.isEmpty()) {
          continue;
        }
        if (placer.test(q.peekFirst())) {
          q.pollFirst();
          size--;
          placed++;
          progress = true;
          servedLast = ns;
          if (q.isEmpty()) {
            byNamespace.remove(ns);
          }
        }
      }
    }
    return placed;
  }

  /**
   * Notes that {@code namespace} was just served without queueing, so the next round starts after
   * it.
   */
  public void served(String namespace) {
    servedLast = namespace;
  }

  /** Namespaces in ring order, starting after the one served last. */
  private List<String> rotation() {
    List<String> names = new ArrayList<>(byNamespace.keySet());
    int at = servedLast == null ? -1 : names.indexOf(servedLast);
    if (at < 0) {
      return names;
    }
    List<String> order = new ArrayList<>(names.size());
    order.addAll(names.subList(at + 1, names.size()));
    order.addAll(names.subList(0, at + 1));
    return order;
  }
}

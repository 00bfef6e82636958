package io.hpcwhisk.simulator.snapshot;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * An unmodifiable list over an array that {@link IncrementalSnapshotBuilder} filled already sorted
 * and checked (it hands it to {@code ClusterSnapshot.ordered}); the array is never written after
 * the list is made.
 */
final class PrevalidatedList<T> extends AbstractList<T> implements RandomAccess {

  private final Object[] items;
  private final int size;

  PrevalidatedList(Object[] items, int size) {
    this.items = items;
    this.size = size;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + " of " + size);
    }
    return (T) items[index];
  }

  @Override
  public int size() {
    return size;
  }
}

package io.hpcwhisk.core.cluster;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An unmodifiable list over an array that {@link IncrementalSnapshotBuilder} filled already sorted and checked, so
 * that {@link ClusterSnapshot} can take it as it is instead of sorting and checking it again. Only this package can
 * create one; the array is never written after the list is made.
 */
class PrevalidatedList<T> extends AbstractList<T> implements RandomAccess {

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

  /**
   * The nodes of a snapshot, with its harvestable ones (in the same order) already picked out, and which positions
   * changed state since the same builder's previous build.
   */
  static final class Nodes extends PrevalidatedList<Node> {

    final List<Node> harvestable;
    final Object builder;
    final long build;
    final int[] changedSincePrevious;

    Nodes(Object[] items, Object[] harvestable, int harvestableCount, Object builder, long build,
        int[] changedSincePrevious) {
      super(items, items.length);
      this.harvestable = new PrevalidatedList<>(harvestable, harvestableCount);
      this.builder = builder;
      this.build = build;
      this.changedSincePrevious = changedSincePrevious;
    }
  }
}

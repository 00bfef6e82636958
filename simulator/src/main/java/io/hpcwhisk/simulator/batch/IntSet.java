package io.hpcwhisk.simulator.batch;

import java.util.Arrays;

/**
 * A set of node indexes 0..n-1 with O(1) add, remove, contains and pop (dense array + position
 * index).
 */
final class IntSet {

  private final int[] items;
  private final int[] position;
  private int size;

  IntSet(int capacity) {
    items = new int[capacity];
    position = new int[capacity];
    Arrays.fill(position, -1);
  }

  boolean contains(int value) {
    return position[value] >= 0;
  }

  void add(int value) {
    if (position[value] >= 0) {
      return;
    }
    items[size] = value;
    position[value] = size++;
  }

  void remove(int value) {
    int at = position[value];
    if (at < 0) {
      return;
    }
    int last = items[--size];
    items[at] = last;
    position[last] = at;
    position[value] = -1;
  }

  /** Removes and returns the most recently added element. */
  int pop() {
    int value = items[size - 1];
    remove(value);
    return value;
  }

  int size() {
    return size;
  }

  int get(int index) {
    return items[index];
  }

  int[] toArray() {
    return Arrays.copyOf(items, size);
  }
}

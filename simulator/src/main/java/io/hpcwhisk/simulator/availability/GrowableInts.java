package io.hpcwhisk.simulator.availability;

import java.util.Arrays;

/** An {@code int} array that grows on demand; indexes never written read as 0. */
public final class GrowableInts {

  private int[] values = new int[1024];
  private int size;

  /** Adds {@code delta} at {@code index}, growing the array when needed. */
  public void add(int index, int delta) {
    ensure(index + 1);
    values[index] += delta;
    size = Math.max(size, index + 1);
  }

  /** Sets {@code index} to {@code value}, growing the array when needed. */
  public void set(int index, int value) {
    ensure(index + 1);
    values[index] = value;
    size = Math.max(size, index + 1);
  }

  /** Appends a value at index {@link #size()}. */
  public void append(int value) {
    add(size, value);
  }

  public int get(int index) {
    return index < values.length ? values[index] : 0;
  }

  /** One past the highest index written. */
  public int size() {
    return size;
  }

  /** A copy of the first {@code length} values (zero-padded). */
  public int[] toArray(int length) {
    return Arrays.copyOf(values, length);
  }

  private void ensure(int capacity) {
    if (capacity > values.length) {
      values = Arrays.copyOf(values, Math.max(capacity, values.length * 2));
    }
  }
}

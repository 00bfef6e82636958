package io.hpcwhisk.runtime;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * A stream whose reads wait while the test holds its gate: a reader thread that gets no processor
 * time on a loaded machine, made deterministic. A read held longer than 30 s fails.
 */
final class GatedInputStream extends FilterInputStream {

  private boolean open;

  GatedInputStream(InputStream in, boolean open) {
    super(in);
    this.open = open;
  }

  synchronized void hold() {
    open = false;
  }

  synchronized void open() {
    open = true;
    notifyAll();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    synchronized (this) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!open) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException("the test held the gate for 30 s");
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted at the gate", e);
        }
      }
    }
    return super.read(b, off, len);
  }
}

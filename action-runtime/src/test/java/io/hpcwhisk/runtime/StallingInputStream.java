package io.hpcwhisk.runtime;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A stream whose reads stall first, as a reader thread descheduled on a loaded machine. */
final class StallingInputStream extends FilterInputStream {

  private final long stallMillis;

  StallingInputStream(InputStream in, long stallMillis) {
    super(in);
    this.stallMillis = stallMillis;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      Thread.sleep(stallMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return super.read(b, off, len);
  }
}

package io.hpcwhisk.simulator.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opens trace files for the readers: plain text or gzip ({@code .gz}), UTF-8, with a clear error
 * when missing.
 */
public final class TraceFiles {

  private TraceFiles() {}

  /** Opens {@code file} for reading lines; decompresses names ending in {@code .gz}. */
  public static BufferedReader open(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "trace file " + file + " does not exist or is not a regular file");
    }
    try {
      InputStream in = Files.newInputStream(file);
      if (file.getFileName().toString().endsWith(".gz")) {
        in = new GZIPInputStream(in, 1 << 16);
      }
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open trace file " + file, e);
    }
  }
}

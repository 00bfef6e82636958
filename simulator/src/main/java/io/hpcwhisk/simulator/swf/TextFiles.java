package io.hpcwhisk.simulator.swf;

import java.io.BufferedInputStream;
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
 * Opens a job trace for line reading: gzip when the name ends in {@code .gz} or the file starts
 * with the gzip magic bytes {@code 1f 8b}, plain UTF-8 text otherwise.
 */
public final class TextFiles {

  private TextFiles() {}

  public static BufferedReader open(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "trace file " + file + " does not exist or is not a regular file");
    }
    try {
      InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
      in.mark(2);
      int b0 = in.read();
      int b1 = in.read();
      in.reset();
      boolean gzip = file.getFileName().toString().endsWith(".gz") || (b0 == 0x1f && b1 == 0x8b);
      if (gzip) {
        in = new GZIPInputStream(in, 1 << 16);
      }
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open trace file " + file + " (" + e.getMessage() + ")", e);
    }
  }
}

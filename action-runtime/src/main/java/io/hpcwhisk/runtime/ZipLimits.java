package io.hpcwhisk.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * What an action's zip may unpack to: at most {@code maxTotalBytes} in all, {@code maxEntries}
 * entries, and no more than {@code maxRatio} times the archive's size once it unpacks to over
 * {@value #RATIO_FLOOR} bytes (a zip bomb unpacks to thousands of times its size; ordinary code to
 * a few times). Names must stay inside the archive (no absolute names, no {@code ..} out of it).
 * The sizes counted are the bytes actually inflated, not the sizes the entries claim. The API
 * checks an action's zip at create and update ({@link #check}); the runtime enforces the same
 * limits while it unpacks ({@link #unpack}).
 */
public record ZipLimits(long maxTotalBytes, int maxEntries, int maxRatio) {

  /** 256 MiB, 10,000 entries, ratio 100. */
  public static final ZipLimits DEFAULT = new ZipLimits(256L * 1_048_576, 10_000, 100);

  /**
   * Below this unpacked size the ratio is not checked (a small file of zeros compresses well and is
   * harmless).
   */
  static final long RATIO_FLOOR = 1_048_576;

  /** Why the archive breaks a limit, as a message for the developer. */
  public static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  /** Reads the whole archive without writing anything; throws with the first limit it breaks. */
  public void check(byte[] zip) throws Refused {
    try {
      walk(zip, null);
    } catch (IOException e) {
      throw new Refused("the zip archive cannot be read: " + e.getMessage());
    }
  }

  /**
   * Unpacks {@code zip} under {@code target} (created), stopping with {@link Refused} at the first
   * broken limit.
   */
  public void unpack(byte[] zip, Path target) throws Refused, IOException {
    Files.createDirectories(target);
    walk(zip, target.toAbsolutePath().normalize());
  }

  private void walk(byte[] zip, Path root) throws Refused, IOException {
    long total = 0;
    int entries = 0;
    byte[] buffer = new byte[65536];
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
        if (++entries > maxEntries) {
          throw new Refused("the zip archive has more than " + maxEntries + " entries");
        }
        String name = entry.getName();
        Path relative;
        try {
          relative = Path.of(name.replace('\\', '/')).normalize();
        } catch (InvalidPathException e) {
          throw new Refused(
              "the zip entry name '" + printable(name) + "' is not a valid file name");
        }
        if (name.startsWith("/")
            || name.startsWith("\\")
            || relative.isAbsolute()
            || relative.startsWith("..")) {
          throw new Refused("the zip entry '" + printable(name) + "' points outside the archive");
        }
        Path out = root == null ? null : root.resolve(relative).normalize();
        if (out != null && !out.startsWith(root)) {
          throw new Refused("the zip entry '" + printable(name) + "' points outside the archive");
        }
        if (entry.isDirectory()) {
          if (out != null) {
            Files.createDirectories(out);
          }
          continue;
        }
        OutputStream sink = null;
        if (out != null) {
          Files.createDirectories(out.getParent());
          sink =
              Files.newOutputStream(
                  out,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.TRUNCATE_EXISTING,
                  StandardOpenOption.WRITE);
        }
        try {
          total = copy(in, sink, buffer, total, zip.length);
        } finally {
          if (sink != null) {
            sink.close();
          }
        }
      }
    } catch (ZipException e) {
      throw new Refused("the zip archive cannot be read: " + e.getMessage());
    }
    if (entries == 0 && zip.length > 0) {
      throw new Refused("the zip archive has no entries");
    }
  }

  private long copy(InputStream in, OutputStream sink, byte[] buffer, long total, long archiveBytes)
      throws Refused, IOException {
    for (int n; (n = in.read(buffer)) > 0; ) {
      total += n;
      if (total > maxTotalBytes) {
        throw new Refused("the zip archive unpacks to more than " + maxTotalBytes + " bytes");
      }
      if (total > RATIO_FLOOR && total > (long) maxRatio * archiveBytes) {
        throw new Refused(
            "the zip archive unpacks to more than "
                + maxRatio
                + " times its size of "
                + archiveBytes
                + " bytes (a zip bomb?)");
      }
      if (sink != null) {
        sink.write(buffer, 0, n);
      }
    }
    return total;
  }

  private static String printable(String name) {
    String clean = name.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
  }
}

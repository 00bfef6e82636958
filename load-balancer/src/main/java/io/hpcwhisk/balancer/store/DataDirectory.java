package io.hpcwhisk.balancer.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's data directory is its user's alone: it holds every action's code and parameters
 * (user secrets), the keys and the pilot secret. {@link #secure} runs before the store opens: it
 * creates the directory with mode 0700, refuses to start when the directory is group- or
 * world-writable (someone else could have replaced a file in it), and takes the group and other
 * bits off the directory and off everything in it (files become 0600, or 0700 when their owner may
 * execute them). Files the server creates later are created 0600 ({@link #OWNER_ONLY_FILE}) where
 * the server creates them itself; the MVStore file is set to 0600 right after MVStore creates it,
 * inside the 0700 directory.
 *
 * <p>Known caveats: the owner of the directory is not checked (a directory owned by another account
 * but writable only by it is accepted); symbolic links in it are left alone, not followed.
 */
public final class DataDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  /** For files the server creates in the data directory: rw-------. */
  public static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private DataDirectory() {}

  /**
   * Creates {@code dir} (0700) or checks and tightens it and everything in it; throws {@link
   * IllegalStateException} with the fix when it is group- or world-writable.
   */
  public static void secure(Path dir) {
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return;
      }
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
      if (mode.contains(PosixFilePermission.GROUP_WRITE)
          || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw new IllegalStateException(
            "refusing to start: the data directory "
                + dir
                + " is group- or "
                + "world-writable (mode "
                + PosixFilePermissions.toString(mode)
                + "), so another account could have replaced the store, the keys or the pilot"
                + " secret in it. Check its contents, then make it the server user's only: chmod"
                + " 700 "
                + dir);
      }
      int[] tightened = {0};
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
                throws IOException {
              tighten(d, tightened);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
              if (attrs.isRegularFile()) {
                tighten(f, tightened);
              }
              return FileVisitResult.CONTINUE;
            }
          });
      if (tightened[0] > 0) {
        LOG.warn(
            "the data directory {} had {} entries that other accounts could read or enter; they are"
                + " now the server user's only (0700 directories, 0600 files)",
            dir,
            tightened[0]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot check the permissions of the data directory " + dir, e);
    }
  }

  private static void tighten(Path p, int[] count) throws IOException {
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    if (mode.removeAll(OTHERS)) {
      Files.setPosixFilePermissions(p, mode);
      count[0]++;
    }
  }

  /** Sets {@code file} to 0600 (a file another library created with the process's umask). */
  static void ownerOnly(Path file) {
    try {
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make " + file + " readable by its owner only", e);
    }
  }
}

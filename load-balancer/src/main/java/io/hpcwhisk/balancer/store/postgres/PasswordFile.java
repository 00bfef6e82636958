package io.hpcwhisk.balancer.store.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads {@code store.postgres.password-file} at start: refused when another account may read or
 * change it (any group or other permission bit) or when it belongs to another account than the
 * server's, as the TLS key is. The password itself never appears in a message.
 */
public final class PasswordFile {

  static final String KEY = "store.postgres.password-file";

  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private PasswordFile() {}

  /** The password: the file's first line, without its line break. */
  public static String read(Path file) {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalArgumentException(
            KEY + " " + file + " does not exist or is not a regular file (symbolic links refused)");
      }
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      Set<PosixFilePermission> open = new HashSet<>(perms);
      open.retainAll(OTHERS);
      if (!open.isEmpty()) {
        throw new IllegalArgumentException(
            KEY
                + " "
                + file
                + " is accessible to other accounts (mode "
                + PosixFilePermissions.toString(perms)
                + ", expected rw------- or r--------); the server refuses a database password"
                + " others can read: chmod 600 "
                + file);
      }
      String owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
      String me = System.getProperty("user.name");
      if (!owner.equals(me)) {
        throw new IllegalArgumentException(
            KEY
                + " "
                + file
                + " belongs to "
                + owner
                + ", not to "
                + me
                + " (the account of the server); chown it");
      }
      if (Files.size(file) > 4096) {
        throw new IllegalArgumentException(
            KEY + " " + file + " holds " + Files.size(file) + " bytes (expected one short line)");
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int nl = text.indexOf('\n');
      String password = (nl < 0 ? text : text.substring(0, nl)).replace("\r", "");
      if (password.isEmpty()) {
        throw new IllegalArgumentException(
            KEY + " " + file + " is empty (expected the database password on its first line)");
      }
      return password;
    } catch (IOException e) {
      throw new IllegalArgumentException(KEY + " " + file + ": cannot read it: " + e, e);
    }
  }
}

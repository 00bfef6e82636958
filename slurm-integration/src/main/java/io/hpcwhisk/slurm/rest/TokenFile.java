package io.hpcwhisk.slurm.rest;

import io.hpcwhisk.slurm.SlurmAccessException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The JWT the controller sends slurmrestd ({@code slurm.rest.token-file}): one line, read from a
 * file only its owner can read, and read again whenever the file changes (its modification time,
 * size or inode), so that a rotated token is picked up without a restart.
 *
 * <p>A file that another account could read or replace (any group or other permission bit) is
 * refused, naming the file and the fix ({@code chmod 600}), the same rule as the TLS key. The token
 * itself is never put in a message, a log line or {@link #toString()}.
 */
public final class TokenFile {

  /** The longest token accepted (Slurm's HS256 tokens are a few hundred bytes). */
  static final int MAX_BYTES = 16 * 1024;

  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private final Path file;
  private String token;
  private Object fileKey;
  private FileTime modified;
  private long size = -1;

  /**
   * Reads the token now.
   *
   * @throws IllegalArgumentException the file is missing, empty, too large, not a token, or
   *     readable by others (the message names the file and the fix)
   */
  public TokenFile(Path file) {
    this.file = file.toAbsolutePath().normalize();
    reload(true);
  }

  public Path file() {
    return file;
  }

  /** The token, read again first when the file changed since the last read. */
  public synchronized String token() {
    reload(false);
    return token;
  }

  private synchronized void reload(boolean atStart) {
    PosixFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw problem(atStart, "cannot be read (" + e.getClass().getSimpleName() + ")", e);
    }
    if (!attributes.isRegularFile()) {
      throw problem(atStart, "is not a regular file", null);
    }
    if (token != null
        && attributes.lastModifiedTime().equals(modified)
        && attributes.size() == size
        && Objects.equals(attributes.fileKey(), fileKey)) {
      return;
    }
    Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
    open.addAll(attributes.permissions());
    open.retainAll(OTHERS);
    if (!open.isEmpty()) {
      throw problem(
          atStart,
          "is accessible to other accounts (mode "
              + PosixFilePermissions.toString(attributes.permissions())
              + "); the controller refuses a token others can read: chmod 600 "
              + file,
          null);
    }
    String owner = attributes.owner().getName();
    String me = System.getProperty("user.name");
    if (!owner.equals(me)) {
      throw problem(
          atStart, "belongs to " + owner + ", not to " + me + " who runs the controller", null);
    }
    if (attributes.size() > MAX_BYTES) {
      throw problem(atStart, "is larger than " + MAX_BYTES + " bytes: not a token", null);
    }
    String text;
    try {
      text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw problem(atStart, "cannot be read (" + e.getClass().getSimpleName() + ")", e);
    }
    if (text.startsWith("SLURM_JWT=")) {
      text = text.substring("SLURM_JWT=".length()); // as `scontrol token` prints it
    }
    if (text.isEmpty() || !text.matches("[A-Za-z0-9._~+/=-]+")) {
      throw problem(
          atStart,
          "does not hold one token (one line of base64url text, as `scontrol token` prints"
              + " after SLURM_JWT=)",
          null);
    }
    token = text;
    modified = attributes.lastModifiedTime();
    size = attributes.size();
    fileKey = attributes.fileKey();
  }

  private RuntimeException problem(boolean atStart, String what, Throwable cause) {
    String message = "slurm.rest.token-file " + file + " " + what;
    return atStart
        ? new IllegalArgumentException(message, cause)
        : new SlurmAccessException(SlurmAccessException.Reason.AUTH, message, cause);
  }

  @Override
  public String toString() {
    return "TokenFile[" + file + "]";
  }
}

package io.hpcwhisk.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * Writes an action's code into its runtime directory the way OpenWhisk's runtimes accept it and
 * returns the entry the launcher loads: a source file, an unpacked zip directory, a jar or an
 * executable. Problems are returned as messages for a developer error, never thrown at the caller.
 */
final class ActionFiles {

  /** The entry to load, or why the code cannot be used. */
  record Prepared(Path entry, String problem) {
    static Prepared ok(Path entry) {
      return new Prepared(entry, null);
    }

    static Prepared fail(String problem) {
      return new Prepared(null, problem);
    }

    boolean ok() {
      return problem == null;
    }
  }

  private ActionFiles() {}

  static Prepared prepare(ActionSpec spec, Path dir) throws IOException {
    ActionKind kind = spec.actionKind();
    byte[] bytes;
    if (spec.binary()) {
      try {
        bytes = Base64.getMimeDecoder().decode(spec.code());
      } catch (IllegalArgumentException e) {
        return Prepared.fail(
            "the code is marked binary but is not valid base64: " + e.getMessage());
      }
    } else {
      bytes = spec.code().getBytes(StandardCharsets.UTF_8);
    }
    boolean zip =
        bytes.length > 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4;
    switch (kind) {
      case NODEJS -> {
        if (spec.binary()) {
          return zip
              ? unzip(bytes, dir.resolve("action"))
              : Prepared.fail("a binary nodejs action must be a zip");
        }
        return Prepared.ok(Files.write(dir.resolve("action.js"), bytes));
      }
      case PYTHON -> {
        if (spec.binary()) {
          return zip
              ? unzip(bytes, dir.resolve("action"))
              : Prepared.fail("a binary python action must be a zip");
        }
        return Prepared.ok(Files.write(dir.resolve("__main__.py"), bytes));
      }
      case JAVA -> {
        if (!spec.binary() || !zip) {
          return Prepared.fail("a java action must be a jar given as base64 (binary)");
        }
        return Prepared.ok(Files.write(dir.resolve("action.jar"), bytes));
      }
      case NATIVE -> {
        Path exec;
        if (zip) {
          Prepared unpacked = unzip(bytes, dir.resolve("action"));
          if (!unpacked.ok()) {
            return unpacked;
          }
          exec = unpacked.entry().resolve("exec");
          if (!Files.isRegularFile(exec)) {
            return Prepared.fail("a native zip must contain an executable named exec at its root");
          }
        } else {
          exec = Files.write(dir.resolve("exec"), bytes);
        }
        Files.setPosixFilePermissions(exec, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Prepared.ok(exec);
      }
      default -> throw new IllegalStateException("unhandled kind " + kind);
    }
  }

  private static Prepared unzip(byte[] bytes, Path target) throws IOException {
    try {
      ZipLimits.DEFAULT.unpack(bytes, target);
    } catch (ZipLimits.Refused e) {
      ActionContainer.deleteQuietly(target);
      return Prepared.fail(e.getMessage());
    }
    return Prepared.ok(target.toAbsolutePath().normalize());
  }
}

package io.hpcwhisk.balancer.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.entity.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The users in {@code identities.json} under the data directory (mode 0600). Writers (the admin
 * command, the server) hold a file lock and replace the file atomically; the version is the file's
 * modification time.
 */
public final class FileUserRecords implements UserRecords {

  public static final String FILE_NAME = "identities.json";
  private static final TypeReference<List<JsonNode>> LIST = new TypeReference<>() {};
  private static final FileAttribute<?> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final Path file;

  public FileUserRecords(Path dataDir) {
    this.file = dataDir.resolve(FILE_NAME);
  }

  @Override
  public long version() throws IOException {
    return Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() : -1;
  }

  @Override
  public List<JsonNode> read() throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return Json.MAPPER.readValue(file.toFile(), LIST);
  }

  @Override
  @SuppressWarnings("try") // the lock is held for the block's duration, not used in it
  public void update(UnaryOperator<List<JsonNode>> update) throws IOException {
    Files.createDirectories(file.getParent());
    Path lockFile = file.resolveSibling(FILE_NAME + ".lock");
    try (FileChannel channel =
            FileChannel.open(
                lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), OWNER_ONLY);
        FileLock lock = channel.lock()) {
      List<JsonNode> all = update.apply(new ArrayList<>(read()));
      Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, OWNER_ONLY); // readable by the server's user only
      Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
      try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        c.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  @Override
  public String describe() {
    return file.toString();
  }
}

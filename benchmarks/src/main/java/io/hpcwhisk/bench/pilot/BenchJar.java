package io.hpcwhisk.bench.pilot;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;

/**
 * Compiles the no-op Java action the cold-start benchmark runs (needs a JDK, as the pilot's java
 * kind).
 */
final class BenchJar {

  private BenchJar() {}

  static String noOp(Path dir) {
    try {
      Path src = Files.createDirectories(dir.resolve("bench-src/bench"));
      Path classes = Files.createDirectories(dir.resolve("bench-classes"));
      Path file =
          Files.writeString(
              src.resolve("NoOp.java"),
              "package bench;\n"
                  + "public class NoOp { public static com.google.gson.JsonObject"
                  + " main(com.google.gson.JsonObject a) { return new com.google.gson.JsonObject();"
                  + " } }\n");
      String gson =
          Path.of(JsonObject.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toString();
      int exit =
          ToolProvider.getSystemJavaCompiler()
              .run(null, null, null, "-d", classes.toString(), "-cp", gson, file.toString());
      if (exit != 0) {
        throw new IllegalStateException("javac failed for the benchmark's Java action");
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (JarOutputStream jar = new JarOutputStream(bytes)) {
        jar.putNextEntry(new JarEntry("bench/NoOp.class"));
        jar.write(Files.readAllBytes(classes.resolve("bench/NoOp.class")));
        jar.closeEntry();
      }
      return Base64.getEncoder().encodeToString(bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

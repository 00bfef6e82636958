package io.hpcwhisk.runtime;

import com.google.gson.JsonObject;
import io.hpcwhisk.runtime.javaloop.JavaActionLoop;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The launcher programs, written once per work directory: {@code launcher.js}, {@code launcher.py}
 * (resources of this module) and {@code java-launcher.jar}, which holds only {@link JavaActionLoop}
 * and Gson, copied from wherever they are on the pilot's class path (a directory or a shaded jar).
 */
final class LauncherFiles {

  private static final List<String> JAVA_PREFIXES =
      List.of(JavaActionLoop.class.getPackageName().replace('.', '/') + "/", "com/google/gson/");

  private final Path dir;
  private volatile Path javaJar;

  LauncherFiles(Path dir) {
    this.dir = dir;
  }

  Path nodeLauncher() {
    return resource("launcher.js");
  }

  Path pythonLauncher() {
    return resource("launcher.py");
  }

  synchronized Path javaLauncherJar() {
    if (javaJar == null) {
      try {
        Files.createDirectories(dir);
        Path jar = dir.resolve("java-launcher.jar");
        Path partial = dir.resolve("java-launcher.jar.part");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(partial))) {
          Set<String> written = new HashSet<>();
          for (Class<?> anchor : List.of(JavaActionLoop.class, JsonObject.class)) {
            copyClasses(codeSource(anchor), out, written);
          }
        }
        Files.move(
            partial, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        javaJar = jar;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the java launcher jar into " + dir, e);
      }
    }
    return javaJar;
  }

  private final Set<String> written = new HashSet<>();

  /**
   * Writes the resource once per instance (a file left by an older pilot in the same place is
   * replaced).
   */
  private synchronized Path resource(String name) {
    Path file = dir.resolve(name);
    if (written.add(name)) {
      try (InputStream in = LauncherFiles.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException(
              "resource " + name + " is missing from the pilot's class path");
        }
        Files.createDirectories(dir);
        Path partial = dir.resolve(name + ".part");
        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
            partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }
    return file;
  }

  private static Path codeSource(Class<?> anchor) {
    try {
      return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the classes of " + anchor.getName(), e);
    }
  }

  private static void copyClasses(Path source, JarOutputStream out, Set<String> written)
      throws IOException {
    if (Files.isDirectory(source)) {
      try (Stream<Path> files = Files.walk(source)) {
        for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          String name = source.relativize(file).toString().replace('\\', '/');
          if (wanted(name) && written.add(name)) {
            out.putNextEntry(new JarEntry(name));
            Files.copy(file, out);
            out.closeEntry();
          }
        }
      }
      return;
    }
    try (JarFile jar = new JarFile(source.toFile())) {
      for (JarEntry entry : (Iterable<JarEntry>) jar.stream()::iterator) {
        String name = entry.getName();
        if (!entry.isDirectory() && wanted(name) && written.add(name)) {
          out.putNextEntry(new JarEntry(name));
          try (InputStream in = jar.getInputStream(entry)) {
            in.transferTo(out);
          }
          out.closeEntry();
        }
      }
    }
  }

  private static boolean wanted(String name) {
    return name.endsWith(".class") && JAVA_PREFIXES.stream().anyMatch(name::startsWith);
  }
}

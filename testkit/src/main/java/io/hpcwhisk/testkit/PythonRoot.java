package io.hpcwhisk.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The files of this machine's python3.11 that a container needs to run it: the interpreter, its
 * standard library without {@code dist-packages}, {@code site-packages}, test suites and the C
 * build configuration ({@code config-3.11-*}, libpython3.11-dev's), the shared libraries the
 * interpreter and the {@code lib-dynload} extension modules load (their {@code ldd} closure with
 * the dynamic loader), the C.UTF-8 locale, {@code /usr/bin/true}, and every symbolic link on the
 * way to them (so {@code /lib -> usr/lib} and {@code /usr/bin/python3 -> python3.11} stay links).
 */
final class PythonRoot {

  static final String INTERPRETER = "/usr/bin/python3.11";
  static final String LIBRARY = "/usr/lib/python3.11";
  static final String LINK = "/usr/bin/python3";
  static final String LOCALE = "/usr/lib/locale/C.utf8";

  /**
   * The one program besides python: the attack tests' {@code podman exec NAME true} must fail for
   * want of access to the container, not for want of a {@code true} in it.
   */
  static final String TRUE = "/usr/bin/true";

  private static final Set<String> SKIPPED_DIRS =
      Set.of("dist-packages", "site-packages", "test", "tests", "idle_test");

  private PythonRoot() {}

  /**
   * The root's files as paths relative to {@code /}, sorted (every directory before what it holds),
   * parent directories included.
   *
   * @throws IllegalStateException naming the missing file when this machine has no python3.11, and
   *     naming the library when one the interpreter loads is not found
   */
  static List<String> files() {
    Path host = Path.of("/");
    present(List.of(INTERPRETER, LIBRARY + "/http/server.py", LIBRARY + "/lib-dynload", TRUE));
    List<String> wanted = new ArrayList<>(List.of(INTERPRETER, LINK, TRUE));
    wanted.addAll(standardLibrary(Path.of(LIBRARY)));
    List<String> objects = new ArrayList<>(List.of(INTERPRETER, TRUE));
    wanted.stream()
        .filter(f -> f.startsWith(LIBRARY + "/lib-dynload/") && f.endsWith(".so"))
        .forEach(objects::add);
    wanted.addAll(libraries(ldd(objects)));
    if (Files.isDirectory(Path.of(LOCALE))) {
      wanted.addAll(tree(Path.of(LOCALE)));
    }
    return withLinksAndParents(host, wanted);
  }

  /** Fails naming the first of {@code required} (absolute paths) that this machine lacks. */
  static void present(List<String> required) {
    for (String file : required) {
      if (!Files.exists(Path.of(file))) {
        throw new IllegalStateException(
            "the container test image is built from this machine's python3.11 (and "
                + TRUE
                + "), but "
                + file
                + " is missing (apt-get install python3.11 coreutils)");
      }
    }
  }

  /** The standard library's files (absolute paths), its test suites and package dirs left out. */
  static List<String> standardLibrary(Path library) {
    try (Stream<Path> walk = Files.walk(library)) {
      return walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> library.relativize(p).getNameCount() > 0)
          .filter(p -> !skipped(library.relativize(p)))
          .map(Path::toString)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + library, e);
    }
  }

  private static boolean skipped(Path relative) {
    for (Path part : relative) {
      if (SKIPPED_DIRS.contains(part.toString()) || part.toString().startsWith("config-")) {
        return true;
      }
    }
    return false;
  }

  private static List<String> tree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.map(Path::toString).sorted().toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + dir, e);
    }
  }

  /**
   * The shared objects in {@code ldd}'s output for one or more files: each {@code name => /path}
   * and the loader's bare {@code /path}; the vDSO (no path) is not a file.
   *
   * @throws IllegalStateException naming each library that is {@code not found}
   */
  static Set<String> libraries(String lddOutput) {
    Set<String> found = new TreeSet<>();
    List<String> missing = new ArrayList<>();
    for (String line : lddOutput.split("\n")) {
      if (!line.startsWith("\t")) {
        continue; // a file's header ("/path:") or "not a dynamic executable"
      }
      String entry = line.trim();
      int arrow = entry.indexOf("=>");
      String target = arrow < 0 ? entry : entry.substring(arrow + 2).trim();
      if (target.startsWith("not found")) {
        missing.add(entry.substring(0, Math.max(arrow, 0)).trim());
        continue;
      }
      int address = target.indexOf(" (0x");
      String path = address < 0 ? target : target.substring(0, address);
      if (path.startsWith("/")) {
        found.add(path);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "python3.11 or its extension modules load libraries this machine lacks: " + missing);
    }
    return found;
  }

  /**
   * The given absolute paths under {@code host} with every symbolic link met on the way to them
   * (each link followed to its target, relative or absolute, inside {@code host}) and every parent
   * directory, relative to {@code host} and sorted.
   */
  static List<String> withLinksAndParents(Path host, List<String> paths) {
    Set<String> out = new TreeSet<>();
    for (String path : paths) {
      resolve(host, path, out, new LinkedHashSet<>());
    }
    Set<String> withParents = new TreeSet<>(out);
    for (String path : out) {
      for (Path p = Path.of(path).getParent(); p != null; p = p.getParent()) {
        withParents.add(p.toString());
      }
    }
    return List.copyOf(withParents);
  }

  /** Adds {@code path} (absolute, inside host) and the links on its way; returns its real path. */
  private static String resolve(Path host, String path, Set<String> out, Set<String> seen) {
    if (!seen.add(path) || seen.size() > 40) {
      throw new IllegalStateException("too many symbolic links resolving " + seen);
    }
    String real = "";
    Path absolute = Path.of(path).normalize();
    for (Path part : absolute) {
      String next = real + "/" + part;
      Path onHost = host.resolve(next.substring(1));
      if (Files.isSymbolicLink(onHost)) {
        out.add(next.substring(1));
        try {
          Path target = Files.readSymbolicLink(onHost);
          String targetPath =
              target.isAbsolute()
                  ? target.normalize().toString()
                  : Path.of(real.isEmpty() ? "/" : real).resolve(target).normalize().toString();
          real = resolve(host, targetPath, out, seen);
        } catch (IOException e) {
          throw new IllegalStateException("cannot read the link " + onHost, e);
        }
      } else {
        real = next;
      }
    }
    if (!real.isEmpty()
        && Files.exists(host.resolve(real.substring(1)), LinkOption.NOFOLLOW_LINKS)) {
      out.add(real.substring(1));
    }
    seen.remove(path);
    return real;
  }

  /**
   * What went into the root, for the image's tag: python's {@code -VV} and each file's path, kind,
   * size and modification time (a changed host python or library gives a new text).
   */
  static String description(List<String> files) {
    StringBuilder text = new StringBuilder(version()).append('\n');
    for (String file : files) {
      Path p = Path.of("/").resolve(file);
      try {
        BasicFileAttributes a =
            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        text.append(file).append(' ');
        if (a.isSymbolicLink()) {
          text.append("-> ").append(Files.readSymbolicLink(p));
        } else if (a.isDirectory()) {
          text.append("dir");
        } else {
          text.append(a.size()).append(' ').append(a.lastModifiedTime().toMillis());
        }
        text.append('\n');
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + p, e);
      }
    }
    return text.toString();
  }

  /** The interpreter's full version ({@code python3.11 -VV}). */
  static String version() {
    return output(List.of(INTERPRETER, "-VV"), "python3.11 -VV").trim();
  }

  private static String ldd(List<String> objects) {
    List<String> command = new ArrayList<>(List.of("ldd"));
    command.addAll(objects);
    return output(command, "ldd of python3.11 and its extension modules");
  }

  /** A command's output (stdout and stderr); fails naming the command when it cannot start. */
  private static String output(List<String> command, String what) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(what + " did not end within 120 s");
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + what + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted", e);
    }
  }
}

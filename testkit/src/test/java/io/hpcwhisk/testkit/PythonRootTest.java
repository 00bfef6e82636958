package io.hpcwhisk.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What goes into the container test image's root: ldd's output, links, parents and exclusions. */
class PythonRootTest {

  @TempDir Path host;

  @Test
  void takesEachLibraryPathAndTheLoaderFromLddButNotTheVdsoOrHeaders() {
    String ldd =
        "/usr/bin/python3.11:\n"
            + "\tlinux-vdso.so.1 (0x00007ffd5a1f2000)\n"
            + "\tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f0c1a0d0000)\n"
            + "\t/lib64/ld-linux-x86-64.so.2 (0x00007f0c1a2c2000)\n"
            + "/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so:\n"
            + "\tlibssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x00007f5c4b9a0000)\n"
            + "\tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f0c1a0d0000)\n"
            + "/usr/lib/python3.11/lib-dynload/x.so:\n"
            + "\tstatically linked\n";

    assertThat(PythonRoot.libraries(ldd))
        .containsExactly(
            "/lib/x86_64-linux-gnu/libm.so.6",
            "/lib/x86_64-linux-gnu/libssl.so.3",
            "/lib64/ld-linux-x86-64.so.2");
  }

  @Test
  void aLibraryThisMachineLacksIsAnErrorNamingIt() {
    String ldd = "/x.so:\n\tlibffi.so.8 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x1)\n";

    assertThatThrownBy(() -> PythonRoot.libraries(ldd))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("libffi.so.8");
  }

  @Test
  void keepsEveryLinkOnTheWayAndItsTargetAndEveryParent() throws IOException {
    Files.createDirectories(host.resolve("usr/lib/x86_64-linux-gnu"));
    Files.createDirectories(host.resolve("usr/lib64"));
    Files.createDirectories(host.resolve("usr/bin"));
    Files.writeString(host.resolve("usr/lib/x86_64-linux-gnu/ld.so"), "loader");
    Files.writeString(host.resolve("usr/lib/x86_64-linux-gnu/libm.so.6"), "libm");
    Files.writeString(host.resolve("usr/bin/python3.11"), "python");
    Files.createSymbolicLink(host.resolve("lib"), Path.of("usr/lib"));
    Files.createSymbolicLink(host.resolve("lib64"), Path.of("usr/lib64"));
    Files.createSymbolicLink(
        host.resolve("usr/lib64/ld.so"), Path.of("/lib/x86_64-linux-gnu/ld.so"));
    Files.createSymbolicLink(host.resolve("usr/bin/python3"), Path.of("python3.11"));

    assertThat(
            PythonRoot.withLinksAndParents(
                host,
                List.of("/lib64/ld.so", "/lib/x86_64-linux-gnu/libm.so.6", "/usr/bin/python3")))
        .containsExactly(
            "lib",
            "lib64",
            "usr",
            "usr/bin",
            "usr/bin/python3",
            "usr/bin/python3.11",
            "usr/lib",
            "usr/lib/x86_64-linux-gnu",
            "usr/lib/x86_64-linux-gnu/ld.so",
            "usr/lib/x86_64-linux-gnu/libm.so.6",
            "usr/lib64",
            "usr/lib64/ld.so");
  }

  @Test
  void aLinkClimbingAboveTheRootStaysInsideItAndALoopIsRefused() throws IOException {
    Files.createDirectories(host.resolve("usr/lib"));
    Files.createDirectories(host.resolve("etc"));
    Files.writeString(host.resolve("etc/shadow"), "inside the root");
    Files.createSymbolicLink(host.resolve("usr/lib/up"), Path.of("../../../../../etc/shadow"));
    Files.createSymbolicLink(host.resolve("usr/lib/a"), Path.of("b"));
    Files.createSymbolicLink(host.resolve("usr/lib/b"), Path.of("a"));

    assertThat(PythonRoot.withLinksAndParents(host, List.of("/usr/lib/up")))
        .containsExactly("etc", "etc/shadow", "usr", "usr/lib", "usr/lib/up");
    assertThatThrownBy(() -> PythonRoot.withLinksAndParents(host, List.of("/usr/lib/a")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("too many symbolic links")
        .hasMessageContaining("/usr/lib/a");
  }

  @Test
  void leavesOutPackageDirsTestSuitesAndTheBuildConfiguration() throws IOException {
    Path lib = host.resolve("python3.11");
    for (String file :
        List.of(
            "os.py",
            "http/server.py",
            "__pycache__/os.cpython-311.pyc",
            "lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
            "dist-packages/pkg/x.py",
            "site-packages/y.py",
            "test/test_os.py",
            "unittest/test/test_case.py",
            "lib2to3/tests/t.py",
            "idlelib/idle_test/i.py",
            "config-3.11-x86_64-linux-gnu/libpython3.11.a")) {
      Files.createDirectories(lib.resolve(file).getParent());
      Files.writeString(lib.resolve(file), "x");
    }

    assertThat(PythonRoot.standardLibrary(lib))
        .containsExactly(
            lib + "/__pycache__/os.cpython-311.pyc",
            lib + "/http/server.py",
            lib + "/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
            lib + "/os.py");
  }

  @Test
  void aMachineWithoutPython311IsAnErrorNamingTheMissingFile() throws IOException {
    Path python = host.resolve("usr/bin/python3.11");
    Files.createDirectories(python.getParent());
    Files.writeString(python, "python");
    String missing = host.resolve("usr/lib/python3.11/http/server.py").toString();

    PythonRoot.present(List.of(python.toString()));
    assertThatThrownBy(() -> PythonRoot.present(List.of(python.toString(), missing)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(missing + " is missing")
        .hasMessageContaining("apt-get install python3.11");
  }
}

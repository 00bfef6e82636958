package io.hpcwhisk.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real zip bombs and hostile archives, built here: refused with a clear message, nothing left on
 * disk.
 */
class ZipLimitsTest {

  @TempDir Path dir;

  /**
   * A zip of one entry of {@code zeros} zero bytes: a few hundred kB that unpack to {@code zeros}.
   */
  static byte[] bomb(long zeros) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("index.js"));
      byte[] block = new byte[1 << 20];
      for (long written = 0; written < zeros; written += block.length) {
        zip.write(block);
      }
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }

  static byte[] zip(String... namesAndContents) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        zip.putNextEntry(new ZipEntry(namesAndContents[i]));
        zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void aZipBombIsRefusedByRatioAndNothingStays() throws Exception {
    byte[] bomb = bomb(64L << 20);
    assertThat(bomb.length).isLessThan(1 << 20);
    assertThatThrownBy(() -> ZipLimits.DEFAULT.check(bomb))
        .isInstanceOf(ZipLimits.Refused.class)
        .hasMessageContaining("more than 100 times its size");
    Path target = dir.resolve("action");
    assertThatThrownBy(() -> ZipLimits.DEFAULT.unpack(bomb, target))
        .isInstanceOf(ZipLimits.Refused.class);
    // at most the ratio's worth was written before it stopped
    try (var files = Files.walk(target)) {
      long written = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      assertThat(written).isLessThanOrEqualTo(100L * bomb.length);
    }
  }

  @Test
  void totalSizeAndEntryCountAreCapped() throws Exception {
    ZipLimits small = new ZipLimits(10_000, 3, 1_000_000);
    assertThatThrownBy(() -> small.check(zip("a", "x".repeat(6_000), "b", "y".repeat(6_000))))
        .hasMessageContaining("unpacks to more than 10000 bytes");
    assertThatThrownBy(() -> small.check(zip("a", "1", "b", "2", "c", "3", "d", "4")))
        .hasMessageContaining("more than 3 entries");
  }

  @Test
  void namesOutsideTheArchiveAreRefused() throws Exception {
    for (String name :
        new String[] {"../evil.js", "a/../../evil.js", "/etc/evil", "..\\..\\evil"}) {
      assertThatThrownBy(() -> ZipLimits.DEFAULT.check(zip(name, "x")))
          .as(name)
          .hasMessageContaining("points outside the archive");
      assertThatThrownBy(() -> ZipLimits.DEFAULT.unpack(zip(name, "x"), dir.resolve("t")))
          .as(name)
          .isInstanceOf(ZipLimits.Refused.class);
    }
    assertThat(dir.getParent().resolve("evil.js")).doesNotExist();
  }

  @Test
  void anOrdinaryZipUnpacks() throws Exception {
    byte[] ok =
        zip("package.json", "{\"main\":\"index.js\"}", "lib/index.js", "exports.main = () => ({})");
    ZipLimits.DEFAULT.check(ok);
    ZipLimits.DEFAULT.unpack(ok, dir.resolve("ok"));
    assertThat(dir.resolve("ok/lib/index.js")).hasContent("exports.main = () => ({})");
  }

  @Test
  void thePilotTurnsABombIntoADeveloperErrorWithoutWritingIt() throws Exception {
    String code = Base64.getEncoder().encodeToString(bomb(64L << 20));
    ActionSpec spec = ActionSpec.binary("guest/bomb@0.0.1", "nodejs:20", code, "main");
    Path rt = dir.resolve("rt");
    Files.createDirectories(rt);
    ActionFiles.Prepared prepared = ActionFiles.prepare(spec, rt);
    assertThat(prepared.ok()).isFalse();
    assertThat(prepared.problem())
        .contains("more than 100 times its size")
        .doesNotContain(dir.toString());
    assertThat(rt.resolve("action")).doesNotExist();
  }
}

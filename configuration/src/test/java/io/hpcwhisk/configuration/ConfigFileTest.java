package io.hpcwhisk.configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hostile files: each is refused with one line, quickly, without reading more than the limit. */
class ConfigFileTest {

  @TempDir Path dir;

  record Section(Integer port, Duration interval) {}

  @Test
  @Timeout(10)
  void aBillionLaughsBombIsRefusedBeforeItExpands() throws IOException {
    StringBuilder bomb =
        new StringBuilder("api:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 10; i++) {
      bomb.append("  a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      bomb.append("]\n");
    }
    Path f = write("bomb.yaml", bomb.toString());
    assertThatThrownBy(() -> ConfigFile.read(f))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "configuration is not valid YAML: aliases (*a0) are not supported; write the value out")
        .hasNoCause();
  }

  @Test
  @Timeout(10)
  void deepNestingIsRefused() throws IOException {
    Path f = write("deep.yaml", "api: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
    assertThatThrownBy(() -> ConfigFile.read(f))
        .isInstanceOf(ConfigException.class)
        .hasMessage("configuration is not valid YAML: nested deeper than 20 levels");
    Path g = write("deep2.yaml", "api:\n" + nestedMappings(200));
    assertThatThrownBy(() -> ConfigFile.read(g))
        .isInstanceOf(ConfigException.class)
        .hasMessage("configuration is not valid YAML: nested deeper than 20 levels");
  }

  @Test
  @Timeout(20)
  void aHundredMegabyteFileIsRefusedUnread() throws IOException {
    Path f = dir.resolve("huge.yaml");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.write("api:\n  port: 1\n".getBytes());
      raf.setLength(100L * 1024 * 1024);
    }
    assertThatThrownBy(() -> ConfigFile.read(f))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "configuration file "
                + f
                + " is larger than 1048576 bytes; a configuration is a few kB");
  }

  @Test
  void aFileOtherAccountsMayWriteIsRefused() throws IOException {
    Path f = write("shared.yaml", "store:\n  data-dir: /tmp/x\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThatThrownBy(() -> ConfigFile.read(f))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "refusing to read configuration file "
                + f
                + ": it is group- or world-writable"
                + " (mode rw-rw-rw-)")
        .hasMessageEndingWith("chmod go-w " + f);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw--w----"));
    assertThatThrownBy(() -> ConfigFile.read(f)).hasMessageContaining("group- or world-writable");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(ConfigFile.read(f).path("store").path("data-dir").asText()).isEqualTo("/tmp/x");
  }

  @Test
  void notARegularFileNotUtf8AndMissingAreRefused() throws IOException {
    assertThatThrownBy(() -> ConfigFile.read(dir))
        .hasMessage("configuration file " + dir + " is not a regular file");
    Path missing = dir.resolve("none.yaml");
    assertThatThrownBy(() -> ConfigFile.read(missing))
        .hasMessage("configuration file " + missing + " does not exist");
    Path binary = dir.resolve("bin.yaml");
    Files.write(binary, new byte[] {'a', 'p', 'i', ':', ' ', (byte) 0xff, (byte) 0xfe});
    assertThatThrownBy(() -> ConfigFile.read(binary))
        .hasMessage("configuration file " + binary + " is not UTF-8 text");
  }

  @Test
  void duplicateKeysAndUnknownSectionsAreRefused() {
    assertThatThrownBy(() -> ConfigFile.parse("api:\n  port: 1\n  port: 2\n"))
        .hasMessageStartingWith("configuration is not valid YAML: ")
        .hasMessageContaining("port");
    assertThatThrownBy(() -> ConfigFile.parse("harvset:\n  interval: 5s\n"))
        .hasMessage(
            "harvset: unknown section (did you mean harvest?; the sections are alarms, api,"
                + " balancer, harvest, http, pilot, slurm, store)");
    assertThatThrownBy(() -> ConfigFile.parse("- api\n"))
        .hasMessageStartingWith("configuration must be a mapping of sections");
  }

  @Test
  void anEmptyFileIsAnEmptyConfiguration() throws IOException {
    assertThat(ConfigFile.read(write("empty.yaml", "")).isEmpty()).isTrue();
    assertThat(ConfigFile.parse("# only a comment\n").isEmpty()).isTrue();
  }

  @Test
  void aValueWithControlCharactersCannotForgeALogLine() {
    assertThatThrownBy(
            () ->
                ConfigBinding.section(
                    ConfigFile.parse("api:\n  \"po\\nrt\": 1\n"), "api", Section.class))
        .hasMessageStartingWith("api.po?rt: unknown key");
    assertThatThrownBy(
            () ->
                ConfigBinding.section(
                    ConfigFile.parse("api:\n  port: \"1\\n2026-12-07 INFO forged\"\n"),
                    "api",
                    Section.class))
        .hasMessage("api.port: \"1?2026-12-07 INFO forged\" is not a whole number");
    assertThatThrownBy(
            () ->
                ConfigBinding.section(
                    ConfigFile.parse("api:\n  port: " + "9".repeat(200) + "\n"),
                    "api",
                    Section.class))
        .hasMessage("configuration is not valid YAML: a number longer than 64 digits");
    assertThatThrownBy(
            () ->
                ConfigBinding.section(
                    ConfigFile.parse("api:\n  port: " + "9".repeat(30) + "\n"),
                    "api",
                    Section.class))
        .hasMessage(
            "api.port: "
                + "9".repeat(30)
                + " is out of range (expected a whole number up to"
                + " 2147483647)");
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static String nestedMappings(int depth) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      s.append("  ".repeat(i + 1)).append("k:\n");
    }
    return s.toString();
  }
}

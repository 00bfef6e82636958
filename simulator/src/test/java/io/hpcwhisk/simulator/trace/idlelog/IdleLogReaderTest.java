package io.hpcwhisk.simulator.trace.idlelog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.simulator.trace.TraceFormatException;
import io.hpcwhisk.simulator.trace.TraceSummary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IdleLogReaderTest {

  @TempDir Path dir;

  private static final String TWO_RECORDS =
      """
      1647471604
      invokers: p2165,p0005
      lowprio      up   12:00:00      1   idle p0016
      lowprio      up   12:00:00      4   idle p[0016,0123-0125]
      lowprio      up   12:00:00      2   idle~ p[0200-0201]
      ----
      1647471618
      invokers:
      ----
      """;

  @Test
  void readsRecordsWithInvokersAndExactlyIdleNodes() throws IOException {
    List<IdleSample> samples = readAll(write("log.txt", TWO_RECORDS));

    assertThat(samples).hasSize(2);
    IdleSample first = samples.get(0);
    assertThat(first.epochSecond()).isEqualTo(1647471604L);
    assertThat(first.line()).isEqualTo(1);
    assertThat(first.invokers()).isEqualTo(bits(5, 2165));
    assertThat(first.idle()).isEqualTo(bits(16, 123, 124, 125));
    assertThat(first.available()).isEqualTo(bits(5, 16, 123, 124, 125, 2165));
    assertThat(samples.get(1).available().isEmpty()).isTrue();
    assertThat(samples.get(1).line()).isEqualTo(7);
  }

  @Test
  void summaryCountsSkippedStatesBlankLinesAndCountMismatches() throws IOException {
    String log =
        TWO_RECORDS
            + "\n"
            + """
            1647471630
            invokers: p0001
            lowprio      up   12:00:00      3   idle p[0016,0123-0125]
            lowprio      up   12:00:00      1   idle% p0300
            ----
            """;
    IdleLogReader reader = new IdleLogReader(write("log.txt", log));
    try (Stream<IdleSample> records = reader.records()) {
      assertThat(records.count()).isEqualTo(3);
    }

    TraceSummary summary = reader.summary();
    assertThat(summary.records()).isEqualTo(3);
    assertThat(summary.lines()).isEqualTo(15);
    assertThat(summary.skipped())
        .containsEntry("sinfo line in state 'idle~' (only exactly 'idle' counts)", 1L)
        .containsEntry("sinfo line in state 'idle%' (only exactly 'idle' counts)", 1L)
        .containsEntry("blank line between records", 1L);
    assertThat(summary.warnings())
        .containsEntry("sinfo node count that differs from its node list", 1L);
    assertThat(summary.describe()).contains("3 records", "1 × blank line between records");
  }

  @Test
  void readsGzipCompressedLogs() throws IOException {
    Path file = dir.resolve("log.txt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(TWO_RECORDS.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(readAll(file)).hasSize(2);
  }

  static Stream<Arguments> malformedLogs() {
    return Stream.of(
        Arguments.of("empty file", "", 0, "file", "an empty file"),
        Arguments.of("only blank lines", "\n\n", 0, "file", "only blank lines"),
        Arguments.of(
            "record cut after the timestamp", "1647471604\n", 1, "invokers", "end of file"),
        Arguments.of(
            "record cut before its separator",
            "1647471604\ninvokers: p0001\n",
            2,
            "record end",
            "end of file"),
        Arguments.of(
            "record without separator before the next one",
            "1647471604\ninvokers: p0001\n1647471618\ninvokers:\n----\n",
            3,
            "record end",
            "the next timestamp '1647471618'"),
        Arguments.of(
            "separator right after the timestamp", "1647471604\n----\n", 2, "invokers", "'----'"),
        Arguments.of(
            "sinfo line cut short",
            "1647471604\ninvokers:\nlowprio up 12:00:00 1\n----\n",
            3,
            "sinfo line",
            "4 column(s)"),
        Arguments.of(
            "letters in the timestamp",
            "16474x1604\ninvokers:\n----\n",
            1,
            "timestamp",
            "'16474x1604'"),
        Arguments.of("negative timestamp", "-5\ninvokers:\n----\n", 1, "timestamp", "'-5'"),
        Arguments.of(
            "timestamp going backwards",
            "1647471604\ninvokers:\n----\n1647471600\ninvokers:\n----\n",
            4,
            "timestamp",
            "'1647471600'"),
        Arguments.of(
            "record starting with its invokers line",
            "invokers: p0001\n----\n",
            1,
            "timestamp",
            "'invokers: p0001'"),
        Arguments.of(
            "node name of another cluster",
            "1647471604\ninvokers: n0012\n----\n",
            2,
            "invokers node name",
            "'n0012'"),
        Arguments.of(
            "node name with three digits",
            "1647471604\ninvokers: p001\n----\n",
            2,
            "invokers node name",
            "'p001'"),
        Arguments.of(
            "letter inside a bracket list",
            "1647471604\ninvokers:\nlowprio up 12:00:00 2 idle p[0016,01x3]\n----\n",
            3,
            "sinfo node name",
            "'p[0016,01x3]'"),
        Arguments.of(
            "range that runs backwards",
            "1647471604\ninvokers:\nlowprio up 12:00:00 2 idle p[0125-0123]\n----\n",
            3,
            "sinfo node name",
            "'p[0125-0123]'"),
        Arguments.of(
            "empty entry in the invokers list",
            "1647471604\ninvokers: p0001,,p0002\n----\n",
            2,
            "invokers node name",
            "''"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedLogs")
  void malformedLogsFailNamingFileLineFieldAndExpectation(
      String name, String content, long line, String field, String found) throws IOException {
    Path file = write("bad.txt", content);

    assertThatThrownBy(() -> readAll(file))
        .isInstanceOfSatisfying(
            TraceFormatException.class,
            e -> {
              assertThat(e.source()).isEqualTo(file.toString());
              assertThat(e.line()).isEqualTo(line);
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.found()).contains(found);
              assertThat(e.expected()).isNotBlank();
              assertThat(e.getMessage())
                  .startsWith(file + ":" + line + ": " + field + ": expected ");
            });
  }

  @Test
  void truncatedRecordMessageSaysWhereTheRecordStarted() throws IOException {
    Path file =
        write(
            "cut.txt",
            TWO_RECORDS + "1647471630\ninvokers: p0001\nlowprio up 12:00:00 1 idle p0016\n");

    assertThatThrownBy(() -> readAll(file))
        .hasMessage(
            file
                + ":12: record end: expected '----' closing the record that starts at line 10"
                + " (record truncated), found end of file");
  }

  @Test
  void missingFileIsReportedByName() {
    Path missing = dir.resolve("nope.txt");
    assertThatThrownBy(() -> readAll(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static List<IdleSample> readAll(Path file) {
    try (Stream<IdleSample> records = new IdleLogReader(file).records()) {
      return records.toList();
    }
  }

  private static BitSet bits(int... ids) {
    BitSet bits = new BitSet();
    for (int id : ids) {
      bits.set(id);
    }
    return bits;
  }
}

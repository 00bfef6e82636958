package io.hpcwhisk.simulator.swf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.simulator.testing.TestTraces;
import io.hpcwhisk.simulator.trace.TraceFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SwfReaderTest {

  static final String HEADER =
      "; Version: 2.2\n; MaxNodes: 120\n; MaxProcs: 240\n; UnixStartTime: 1027839845\n";
  static final String JOB1 = "1 0 10 100 4 -1 -1 4 200 -1 1 1 1 -1 -1 1 -1 -1\n";
  static final String JOB2 = "2 5 0 50 2 50.5 -1 2 60 -1 0 1 1 -1 -1 1 -1 -1\n";

  @TempDir Path dir;

  Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  List<SwfJob> read(Path file) {
    try (var stream = new SwfReader(file).records()) {
      return stream.toList();
    }
  }

  @Test
  void readsJobsAndHeaderKeys() throws IOException {
    Path file = write("t.swf", HEADER + JOB1 + "\n" + JOB2);
    SwfReader reader = new SwfReader(file);
    List<SwfJob> jobs;
    try (var stream = reader.records()) {
      jobs = stream.toList();
    }
    assertThat(jobs).extracting(SwfJob::id).containsExactly(1L, 2L);
    assertThat(jobs.get(0)).isEqualTo(new SwfJob(1, 0, 10, 100, 4, 4, 200, 1, -1, 1, 5));
    assertThat(jobs.get(1).runTime()).isEqualTo(50);
    SwfHeader header = reader.header();
    assertThat(header.maxNodes()).hasValue(120);
    assertThat(header.maxProcs()).hasValue(240);
    assertThat(header.unixStartTime()).hasValue(1027839845);
    assertThat(header.procsPerNode()).isEqualTo(2);
    assertThat(SwfReader.readHeader(file)).isEqualTo(header);
    assertThat(reader.summary().records()).isEqualTo(2);
    assertThat(reader.summary().skipped()).isEmpty();
  }

  @Test
  void readsGzipByExtensionAndByMagicBytes() throws IOException {
    byte[] gz = gzip(HEADER + JOB1 + JOB2);
    Path byName = dir.resolve("t.swf.gz");
    Files.write(byName, gz);
    Path byMagic = dir.resolve("t.swf");
    Files.write(byMagic, gz);
    assertThat(read(byName)).hasSize(2);
    assertThat(read(byMagic)).hasSize(2);
  }

  @Test
  void countsSkippedJobsByReason() throws IOException {
    Path file =
        write(
            "t.swf",
            HEADER
                + JOB1
                + "3 7 -1 -1 4 -1 -1 4 100 -1 5 1 1 -1 -1 1 -1 -1\n" // cancelled before start
                + "4 8 0 -1 4 -1 -1 4 100 -1 1 1 1 -1 -1 1 -1 -1\n" // unknown run time
                + "5 9 0 10 0 -1 -1 0 100 -1 1 1 1 -1 -1 1 -1 -1\n" // zero size
                + "6 -1 0 10 2 -1 -1 2 100 -1 1 1 1 -1 -1 1 -1 -1\n"); // unknown submit
    SwfReader reader = new SwfReader(file);
    try (var stream = reader.records()) {
      assertThat(stream.count()).isEqualTo(1);
    }
    assertThat(reader.summary().skipped())
        .containsEntry(SwfReader.CANCELLED, 1L)
        .containsEntry(SwfReader.UNKNOWN_RUNTIME, 1L)
        .containsEntry(SwfReader.ZERO_SIZE, 1L)
        .containsEntry(SwfReader.UNKNOWN_SUBMIT, 1L);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "truncated line;1 0 10 100 4 -1 -1 4 200;t.swf:5: line: expected 18 fields (truncated"
            + " line?), found 9 fields",
        "non-number;1 0 10 1x0 4 -1 -1 4 200 -1 1 1 1 -1 -1 1 -1 -1;t.swf:5: field 4 (run time):"
            + " expected a number, found '1x0'",
        "negative time;1 -5 10 100 4 -1 -1 4 200 -1 1 1 1 -1 -1 1 -1 -1;t.swf:5: submit time:"
            + " expected -1 (unknown) or a time >= 0 seconds, found '-5'",
        "wrong format;1|2022-03-17T06:00:00|COMPLETED;t.swf:5: line: expected 18"
            + " whitespace-separated numbers (SWF), found a '|'-separated line of 3 fields",
        "csv line;1,0,10,100,4,-1,-1,4,200,-1,1,1,1,-1,-1,1,-1,-1;t.swf:5: line: expected 18"
            + " whitespace-separated numbers (SWF), found a ','-separated line of 18 fields",
        "brace list early;1 0 10 100 {n1,n2} -1 -1 4 200 -1 1 1 1 -1 -1 1 -1 -1;t.swf:5: field 5"
            + " (allocated processors): expected a number, found a brace list '{n1,n2}'"
      })
  void rejectsMalformedLinesWithFileLineAndField(String name, String line, String message)
      throws IOException {
    Path file = write("t.swf", HEADER + line + "\n");
    assertThatThrownBy(() -> read(file))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageStartingWith(dir + "/" + message);
  }

  @Test
  void readsExtraColumnsAfterTheEighteenFieldsAndCountsThem() throws IOException {
    String extended =
        "1 0 10 100 4 -1 -1 4 200 -1 1 1 1 -1 -1 1 -1 -1 batch {n01,n02,n03-n04} ib,fat\n"
            + "2 5 0 50 2 50.5 -1 2 60 -1 0 1 1 -1 -1 1 -1 -1 debug\n";
    Path file = write("t.swf", HEADER + extended + JOB1.replace("1 0 10", "3 9 10"));
    SwfReader reader = new SwfReader(file);
    List<SwfJob> jobs;
    try (var stream = reader.records()) {
      jobs = stream.toList();
    }
    assertThat(jobs).extracting(SwfJob::id).containsExactly(1L, 2L, 3L);
    assertThat(jobs.get(0)).isEqualTo(new SwfJob(1, 0, 10, 100, 4, 4, 200, 1, -1, 1, 5));
    assertThat(jobs.get(1).runTime()).isEqualTo(50);
    assertThat(reader.summary().warnings()).containsExactly(Map.entry(SwfReader.EXTRA_COLUMNS, 2L));
    assertThat(reader.summary().skipped()).isEmpty();
    assertThat(reader.maxProcs()).isEqualTo(4);
  }

  @Test
  void remembersTheLargestJobForTheNodeCountFallback() throws IOException {
    Path file =
        write(
            "t.swf",
            "; Version: 2.2\n" + JOB1 + JOB2 + "3 7 0 10 0 -1 -1 16 100 -1 1 1 1 -1 -1 1 -1 -1\n");
    SwfReader reader = new SwfReader(file);
    try (var stream = reader.records()) {
      assertThat(stream.count()).isEqualTo(3);
    }
    assertThat(reader.header().maxProcs()).isEmpty();
    assertThat(reader.maxProcs()).isEqualTo(16); // requested, when the allocated count is unknown
  }

  @Test
  void rejectsEmptyFileAndHeaderOnlyFile() throws IOException {
    Path empty = write("empty.swf", "");
    assertThatThrownBy(() -> read(empty))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining(
            "empty.swf:0: file: expected SWF job lines (18 numbers each), found an empty file");
    Path headerOnly = write("h.swf", HEADER);
    assertThatThrownBy(() -> read(headerOnly)).hasMessageContaining("found no job line in 4 lines");
  }

  @Test
  void rejectsNonNumericHeaderValue() throws IOException {
    Path file = write("t.swf", "; MaxNodes: many\n" + JOB1);
    assertThatThrownBy(() -> SwfReader.readHeader(file))
        .hasMessageContaining("header MaxNodes: expected an integer");
  }

  @Test
  void readsTheRealHpc2nTrace() {
    Path file = TestTraces.require("hpc2n-2002-first3171.swf");
    SwfReader reader = new SwfReader(file);
    try (var stream = reader.records()) {
      assertThat(stream.count()).isEqualTo(3145);
    }
    assertThat(reader.summary().skipped()).containsEntry(SwfReader.UNKNOWN_RUNTIME, 25L);
    assertThat(reader.header().maxProcs()).hasValue(240);
  }

  private static byte[] gzip(String text) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }
}

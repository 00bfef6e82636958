package io.hpcwhisk.simulator.sacct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.simulator.trace.TraceFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SacctReaderTest {

  static final String HEADER =
      "JobID|Submit|Start|End|Timelimit|NNodes|NCPUS|Partition|State|Elapsed\n";
  static final String JOB =
      "10|2022-03-17T06:00:00|2022-03-17T06:01:00|2022-03-17T06:11:00|01:00:00|2|4|batch|COMPLETED|00:10:00\n";

  @TempDir Path dir;

  List<SacctJob> read(Path file, SacctReader reader) {
    try (var stream = reader.records()) {
      return stream.toList();
    }
  }

  Path write(String text) throws IOException {
    Path file = dir.resolve("d.txt");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsFinishedJobsAndSkipsStepsAndCancelledOnes() throws IOException {
    Path file =
        write(
            HEADER
                + JOB
                + "10.batch|2022-03-17T06:00:00|2022-03-17T06:01:00|2022-03-17T06:11:00||2|4||COMPLETED|00:10:00\n"
                + "11|2022-03-17T06:00:00|None|2022-03-17T06:05:00|1-00:00:00|1|1|batch|CANCELLED"
                + " by 1000|00:00:00\n"
                + "12|2022-03-17T06:00:00|2022-03-17T06:00:30|2022-03-17T06:00:40|UNLIMITED|1|1|batch|FAILED|00:00:10\n");
    SacctReader reader = new SacctReader(file, ZoneOffset.UTC);
    List<SacctJob> jobs = read(file, reader);
    assertThat(jobs).hasSize(2);
    SacctJob first = jobs.get(0);
    assertThat(first.end() - first.start()).isEqualTo(600);
    assertThat(first.timeLimit()).isEqualTo(3600);
    assertThat(first.nodes()).isEqualTo(2);
    assertThat(jobs.get(1).timeLimit()).isEqualTo(-1);
    assertThat(reader.summary().skipped())
        .containsEntry(SacctReader.STEP, 1L)
        .containsEntry(SacctReader.CANCELLED, 1L);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "truncated line;10|2022-03-17T06:00:00|2022-03-17T06:01:00;d.txt:2: line: expected 10"
            + " '|'-separated fields like the header (truncated line?), found 3 fields",
        "extra"
            + " columns;10|2022-03-17T06:00:00|2022-03-17T06:01:00|2022-03-17T06:11:00|01:00:00|2|4|batch|COMPLETED|00:10:00|x;d.txt:2:"
            + " line: expected 10 '|'-separated fields like the header (extra columns?), found 11"
            + " fields",
        "non-number;10|2022-03-17T06:00:00|2022-03-17T06:01:00|2022-03-17T06:11:00|01:00:00|two|4|batch|COMPLETED|00:10:00;d.txt:2:"
            + " NNodes: expected a non-negative integer, found 'two'",
        "bad time;10|17/03/2022|2022-03-17T06:01:00|2022-03-17T06:11:00|01:00:00|2|4|batch|COMPLETED|00:10:00;d.txt:2:"
            + " Submit: expected a time YYYY-MM-DDTHH:MM:SS, Unknown or None, found '17/03/2022'",
        "negative"
            + " time;10|2022-03-17T06:00:00|2022-03-17T06:11:00|2022-03-17T06:01:00|01:00:00|2|4|batch|COMPLETED|00:10:00;d.txt:2:"
            + " End: expected a time at or after Start, found End -600 s before Start (negative"
            + " time)",
        "bad duration;10|2022-03-17T06:00:00|2022-03-17T06:01:00|2022-03-17T06:11:00|an"
            + " hour|2|4|batch|COMPLETED|00:10:00;d.txt:2: Timelimit: expected a duration"
            + " [D-]HH:MM:SS, MM:SS or minutes, found 'an hour'"
      })
  void rejectsMalformedLines(String name, String line, String message) throws IOException {
    Path file = write(HEADER + line + "\n");
    assertThatThrownBy(() -> read(file, new SacctReader(file, ZoneOffset.UTC)))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage(dir + "/" + message);
  }

  @Test
  void rejectsEmptyFileAndWrongFormat() throws IOException {
    Path empty = write("");
    assertThatThrownBy(() -> read(empty, new SacctReader(empty, ZoneOffset.UTC)))
        .hasMessageContaining(
            "d.txt:0: file: expected a sacct -P header line, found an empty file");
    Path swf = write("1 0 10 100 4 -1 -1 4 200 -1 1 1 1 -1 -1 1 -1 -1\n");
    assertThatThrownBy(() -> read(swf, new SacctReader(swf, ZoneOffset.UTC)))
        .hasMessageContaining(
            "d.txt:1: header: expected a sacct -P header naming [Submit, Start, End")
        .hasMessageContaining(
            "missing [Submit, Start, End, Timelimit, NNodes, NCPUS, Partition, State, Elapsed]");
  }
}

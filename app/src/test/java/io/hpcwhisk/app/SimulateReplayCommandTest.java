package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulateReplayCommandTest {

  @TempDir Path dir;

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = HpcWhisk.commandLine();
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private Path log() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int t = 0; t < 40; t++) {
      text.append(1_647_471_600 + 10 * t).append("\ninvokers: p0001\n");
      if (t < 30) {
        text.append("lowprio up 12:00:00 1 idle p0002\n");
      }
      text.append("----\n");
    }
    return Files.writeString(dir.resolve("idle.txt"), text);
  }

  @Test
  void replayWritesTheReportAndPrintsTheTable() throws IOException {
    Path out = dir.resolve("out");
    PrintStream saved = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      exit =
          run(
              "simulate",
              "replay",
              "--idle-log",
              log().toString(),
              "--ladder",
              "A1",
              "--warmup-samples",
              "2",
              "--out",
              out.toString(),
              "--no-plots");
    } finally {
      System.setOut(saved);
    }

    assertThat(exit).as(err.toString()).isZero();
    assertThat(Files.readString(out.resolve("report.json")))
        .contains("\"readyShare\"", "\"pilots\" : 2");
    // node 1: 40 samples = 36 + 4 unused; node 2: 30 = 24 + 6 unused; ready (34 + 22) / 70 = 80 %
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("readyShare", "80.00 %", "report.json");
  }

  @Test
  void malformedLogIsOneLineNamingFileAndLine() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.txt"), "1647471600\ninvokers: x12\n----\n");

    int exit =
        run(
            "simulate",
            "replay",
            "--idle-log",
            bad.toString(),
            "--ladder",
            "A1",
            "--out",
            dir.resolve("out").toString());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString().strip())
        .startsWith("hpc-whisk simulate replay: " + bad + ":2: invokers node name: expected")
        .doesNotContain("\n");
  }

  @Test
  void unknownLadderNamesTheValueAndTheChoices() throws IOException {
    int exit =
        run(
            "simulate",
            "replay",
            "--idle-log",
            log().toString(),
            "--ladder",
            "Z9",
            "--out",
            dir.resolve("out").toString());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).contains("ladder 'Z9'", "A1", "2,4,8,16");
  }

  @Test
  void onlineReplayRunsTheCorePolicyAndReportsPreemptions() throws IOException {
    Path out = dir.resolve("online");

    int exit =
        run(
            "simulate",
            "replay",
            "--idle-log",
            log().toString(),
            "--policy",
            "fib",
            "--policy-param",
            "pending-per-length=2",
            "--warmup-seconds",
            "1",
            "--out",
            out.toString(),
            "--no-plots");

    assertThat(exit).as(err.toString()).isZero();
    String report = Files.readString(out.resolve("report.json"));
    assertThat(report)
        .contains(
            "\"mode\" : \"online\"",
            "\"pilotsPreempted\" : 1",
            "\"optimisticBound\" : true",
            "\"pending-per-length\" : \"2\"");
  }

  @Test
  void unknownPolicyNamesTheChoices() throws IOException {
    int exit =
        run(
            "simulate",
            "replay",
            "--idle-log",
            log().toString(),
            "--policy",
            "greedy",
            "--out",
            dir.resolve("out").toString());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).contains("unknown harvest policy 'greedy'", "fib", "adaptive");
  }
}

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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulateScheduleCommandTest {

  @TempDir Path dir;

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = HpcWhisk.commandLine();
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  /**
   * Runs the command with standard output captured, checks that it succeeded, and returns what it
   * printed.
   */
  private String succeeds(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      exit = run(args);
    } finally {
      System.setOut(saved);
    }
    assertThat(exit).as(err.toString()).isZero();
    return printed.toString(StandardCharsets.UTF_8);
  }

  /**
   * {@code simulate schedule} of a synthetic trace on 16 nodes with the adaptive policy, the report
   * in {@code out} without plots; {@code options} add to (or override) these.
   */
  private String adaptiveOnSixteenNodes(String jobs, Path out, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "simulate",
                "schedule",
                "--synthetic",
                jobs,
                "--nodes",
                "16",
                "--policy",
                "adaptive"));
    args.addAll(List.of(options));
    args.addAll(List.of("--out", out.toString(), "--no-plots"));
    return succeeds(args.toArray(String[]::new));
  }

  @Test
  void schedulesAnSwfTraceWithAndWithoutPilotsAndWritesTheReport() throws IOException {
    Path swf =
        Files.writeString(
            dir.resolve("t.swf"),
            "; MaxNodes: 4\n; MaxProcs: 4\n"
                + "1 0 0 100 3 -1 -1 3 100 -1 1 1 1 -1 -1 1 -1 -1\n"
                + "2 1 0 100 4 -1 -1 4 100 -1 1 1 1 -1 -1 1 -1 -1\n"
                + "3 2 0 50 1 -1 -1 1 50 -1 1 1 1 -1 -1 1 -1 -1\n");
    Path out = dir.resolve("out");
    String table =
        succeeds(
            "simulate",
            "schedule",
            "--swf",
            swf.toString(),
            "--scheduler",
            "easy",
            "--policy",
            "var",
            "--drain-seconds",
            "5",
            "--out",
            out.toString(),
            "--no-plots");
    assertThat(table)
        .contains(
            "4 nodes (header MaxProcs 4), 3 jobs, scheduler easy",
            "baseline",
            "var",
            "report.json");
    assertThat(Files.readString(out.resolve("report.json")))
        .contains("\"jobsDelayed\"", "\"readyShare\"");
  }

  @Test
  void holdFreedNodesIsReportedWithTheGoalLine() throws IOException {
    Path out = dir.resolve("hold");
    String printed =
        adaptiveOnSixteenNodes(
            "jobs=2000,seed=1",
            out,
            "--drain-seconds",
            "0.5",
            "--spread",
            "--hold-freed-nodes",
            "--quiet");
    String report = Files.readString(out.resolve("report.json"));
    assertThat(report)
        .contains(
            "\"holdFreedNodes\" : true",
            "\"knockOnBeyondGrace\"",
            "\"beyondGrace\"",
            "\"freedNodesHeld\"");
    assertThat(printed)
        .contains("freed nodes held for one backfill pass", "goal adaptive  knock-on beyond grace");
  }

  @Test
  void aSiteProfileSetsTheBackfillSettingsAndExplicitOptionsWin() throws IOException {
    Path out = dir.resolve("site");
    String printed =
        succeeds(
            "simulate",
            "schedule",
            "--synthetic",
            "jobs=500,seed=1",
            "--nodes",
            "16",
            "--policy",
            "none",
            "--site-profile",
            "hpcwhisk-paper",
            "--bf-window",
            "60",
            "--out",
            out.toString(),
            "--no-plots");
    assertThat(printed)
        .contains(
            "site settings from profile hpcwhisk-paper",
            "bf_interval 120 s",
            "grace 180 s (KillWait with PreemptMode=CANCEL and no GraceTime)");
    String report = Files.readString(out.resolve("report.json"));
    assertThat(report)
        .contains(
            "\"bfIntervalSeconds\" : 120",
            "\"bfResolutionSeconds\" : 120",
            "\"graceSeconds\" : 180",
            "\"bfWindowSeconds\" : 3600");
    Path conf =
        Files.writeString(
            dir.resolve("slurm.conf"),
            "SchedulerParameters=bf_interval=45\n"
                + "PartitionName=whisk Nodes=n[1-4] GraceTime=12\n");
    assertThat(
            succeeds(
                "simulate",
                "schedule",
                "--synthetic",
                "jobs=200,seed=1",
                "--nodes",
                "16",
                "--policy",
                "none",
                "--slurm-conf",
                conf.toString()))
        .contains("bf_interval 45 s", "grace 12 s (GraceTime of partition " + "whisk)");
    assertThat(run("simulate", "schedule", "--synthetic", "jobs=10", "--site-profile", "mars"))
        .isNotZero();
    assertThat(err.toString())
        .contains(
            "--site-profile 'mars': no ", "expected one of [hpcwhisk-paper, " + "slurm-defaults]");
  }

  @Test
  void aSubSecondDrainMakesTheRunCountMilliseconds() throws IOException {
    Path out = dir.resolve("ms");
    String printed =
        adaptiveOnSixteenNodes(
            "jobs=2000,seed=1", out, "--drain-seconds", "0.4", "--completing-seconds", "0.25");
    String report = Files.readString(out.resolve("report.json"));
    assertThat(report)
        .contains(
            "\"timeResolution\" : \"1 ms\"",
            "\"drainSeconds\" : 0.4",
            "\"completingSeconds\" : 0.25",
            "\"handoverSeconds\" : 0.4");
    assertThat(printed)
        .contains(
            "waited for their own pilots: max 0.4 s",
            "note: counting milliseconds with the " + "trace's whole-second times",
            "--spread removes those ties");
  }

  @Test
  void spreadTimesRunInMillisecondsAndSayTheirSeed() throws IOException {
    Path out = dir.resolve("spread");
    String printed =
        adaptiveOnSixteenNodes("jobs=500,seed=1", out, "--drain-seconds", "2", "--spread");
    assertThat(printed)
        .contains(
            "16 nodes (--nodes), 500 jobs, scheduler slurm, times spread inside their seconds (seed"
                + " 1)")
        .doesNotContain("note: counting milliseconds");
    assertThat(Files.readString(out.resolve("report.json")))
        .contains("\"timeResolution\" : \"1 ms\"", "\"spreadSeed\" : 1", "\"drainSeconds\" : 2");

    assertThat(run("simulate", "schedule", "--synthetic", "jobs=10", "--spread", "x")).isNotZero();
    assertThat(err.toString()).contains("--spread", "'x'").doesNotContain("Exception");
  }

  @Test
  void aDrainThatIsNoWholeMillisecondOrBeyondTheGraceTimeIsOneClearLine() {
    assertThat(run("simulate", "schedule", "--synthetic", "jobs=10", "--drain-seconds", "0.0004"))
        .isNotZero();
    assertThat(err.toString())
        .contains("--drain-seconds 0.0004 s is not a whole number of milliseconds")
        .doesNotContain("Exception");
    assertThat(run("simulate", "schedule", "--synthetic", "jobs=10", "--drain-seconds", "30.5"))
        .isNotZero();
    assertThat(err.toString())
        .contains("drain time must be within 0..30 s (the grace time), got 30.5 s");
  }

  @Test
  void aBadSchedulerNameIsOneClearLine() {
    int exit = run("simulate", "schedule", "--synthetic", "jobs=10", "--scheduler", "fifo");
    assertThat(exit).isNotZero();
    assertThat(err.toString()).contains("--scheduler 'fifo': expected easy or slurm");
  }

  @Test
  void noProgressLineWhenStderrIsNotATerminalOrWithQuiet() {
    // under Surefire System.console() is null: the progress line must stay off, with and without
    // --quiet
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int plain;
    int quiet;
    try {
      System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      plain =
          run(
              "simulate",
              "schedule",
              "--synthetic",
              "jobs=2000,seed=1",
              "--nodes",
              "16",
              "--policy",
              "fib");
      quiet =
          run(
              "simulate",
              "schedule",
              "--synthetic",
              "jobs=2000,seed=1",
              "--nodes",
              "16",
              "--policy",
              "fib",
              "--quiet");
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    assertThat(plain).as(err.toString()).isZero();
    assertThat(quiet).as(err.toString()).isZero();
    assertThat(System.console()).as("this test assumes no terminal").isNull();
    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .doesNotContain("schedule 2 runs")
        .doesNotContain("\r");
  }
}

package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.simulator.faas.FaasSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleReportTest {

  @TempDir Path dir;

  @Test
  void writesGainAndCostPerPolicyWithTimelinesAndTable() throws Exception {
    ScheduleRequest request =
        new ScheduleRequest(
            "synthetic:jobs=300,seed=2,maxnodes=8",
            16,
            0,
            SchedulerConfig.defaults(1, Algorithm.SLURM),
            List.of("fib", "adaptive"),
            Map.of(),
            15,
            20,
            600,
            dir,
            true,
            FaasSettings.defaults("synthetic:rate=0.05,seed=1"),
            null);
    Schedules.Result result = Schedules.run(request);

    JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertThat(report.at("/settings/nodes").asInt()).isEqualTo(16);
    assertThat(report.at("/trace/jobs").asLong()).isEqualTo(300);
    assertThat(report.at("/baseline/readyShare").asDouble()).isZero();
    assertThat(report.at("/policies")).hasSize(2);
    JsonNode fib = report.at("/policies/0");
    assertThat(fib.get("run").asText()).isEqualTo("fib");
    double shares =
        fib.get("readyShare").asDouble()
            + fib.get("warmupShare").asDouble()
            + fib.get("unusedShare").asDouble()
            + fib.get("handoverShare").asDouble();
    assertThat(shares).isBetween(0.999999, 1.000001);
    assertThat(fib.get("pilotsStarted").asLong()).isPositive();
    assertThat(fib.at("/cost/jobsDelayed").isNumber()).isTrue();
    assertThat(fib.at("/faas/arrivals").asLong()).isPositive();
    assertThat(report.at("/speed/jobsPerSecond").asDouble()).isPositive();
    assertThat(report.at("/yardstick/handoverSeconds").asLong())
        .as("the default drain: the grace time")
        .isEqualTo(30);
    assertThat(report.at("/yardstick/jobsDelayedBeyondGrace").isNumber()).isTrue();
    assertThat(report.at("/speed/runs").asInt()).as("baseline, 2 policies, yardstick").isEqualTo(4);
    assertThat(report.at("/speed/perRun/yardstick/wallSeconds").asDouble()).isPositive();
    assertThat(Files.size(dir.resolve("timeline-fib.png"))).isPositive();
    assertThat(Files.size(dir.resolve("timeline-baseline.png"))).isPositive();
    String table = ScheduleReport.table(result.outcome());
    assertThat(table)
        .contains("baseline")
        .contains("fib")
        .contains("adaptive")
        .contains("faas fib")
        .contains("yardstick no pilots, every job's nodes handed on 30 s later");
  }

  @Test
  void secondsAreWholeWhereTheyCanBeAndToTheMillisecondOtherwise() {
    assertThat(ScheduleReport.seconds(16.0)).isEqualTo(16L);
    assertThat(ScheduleReport.seconds(0.4)).isEqualTo(0.4);
    assertThat(ScheduleReport.seconds(20873.215 - 20863.999)).isEqualTo(9.216);
    assertThat(ScheduleReport.seconds(2.0000000001)).isEqualTo(2L);
  }
}

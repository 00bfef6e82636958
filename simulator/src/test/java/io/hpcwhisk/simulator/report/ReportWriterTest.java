package io.hpcwhisk.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.ladder.ClairvoyantLadderReplay;
import io.hpcwhisk.simulator.ladder.ClairvoyantResult;
import io.hpcwhisk.simulator.ladder.Ladder;
import io.hpcwhisk.simulator.testing.SyntheticIdleLog;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  @TempDir Path dir;

  private ClairvoyantResult replay() {
    Path log =
        new SyntheticIdleLog(200)
            .available(0, 0, 100)
            .available(1, 50, 200)
            .available(2, 10, 15)
            .write(dir.resolve("log.txt"));
    return ClairvoyantLadderReplay.run(
        log, SampleWindow.all(), Ladder.parse("A1"), 2, 6, Progress.NONE);
  }

  @Test
  void writesReportCsvAndPlots() throws IOException {
    ClairvoyantResult result = replay();
    Path out = dir.resolve("out");

    List<Path> files = ReportWriter.write(result, out, true);

    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "report.json", "timeline.csv", "gap-lengths.csv", "timeline.png", "gap-cdf.png");
    JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    for (String field :
        List.of(
            "readyShare",
            "warmupShare",
            "unusedShare",
            "pilots",
            "noReadySampleShare",
            "meanReadyNodes",
            "ceilingReadyShare",
            "availableShare",
            "samples",
            "nodes")) {
      assertThat(json.has(field)).as(field).isTrue();
    }
    assertThat(json.get("pilots").asLong()).isEqualTo(result.figures().pilots());
    assertThat(json.get("readyShare").asDouble()).isEqualTo(result.figures().readyShare());
    assertThat(json.get("mode").asText()).isEqualTo("clairvoyant");
    assertThat(json.at("/settings/ladder").asText()).isEqualTo("A1");
    assertThat(json.at("/input/window/startInclusive").isNull()).isTrue();
    assertThat(json.at("/input/skipped").size()).isEqualTo(1);

    List<String> timeline = Files.readAllLines(out.resolve("timeline.csv"));
    assertThat(timeline).hasSize(201);
    assertThat(timeline.get(0)).isEqualTo("sample,epochSecond,available,warming,ready,unused");
    assertThat(timeline.get(60)).isEqualTo("59," + (SyntheticIdleLog.START + 590) + ",2,0,2,0");
    assertThat(Files.readAllLines(out.resolve("gap-lengths.csv")))
        .containsExactly("samples,minutes", "5,0.833", "100,16.667", "150,25.000");

    for (String png : List.of("timeline.png", "gap-cdf.png")) {
      BufferedImage image = ImageIO.read(out.resolve(png).toFile());
      assertThat(image).as(png).isNotNull();
      assertThat(image.getWidth()).isEqualTo(1200);
      assertThat(image.getHeight()).isEqualTo(600);
    }
  }

  @Test
  void tablePrintsTheSameFiguresAsTheReport() {
    ClairvoyantResult result = replay();

    String table = ReportTable.render(result);

    assertThat(table)
        .startsWith("clairvoyant ladder A1 (2,4,6,8,14,22,34,56,90 min), warm-up 2 samples\n");
    assertThat(table).contains("readyShare", ReportTable.percent(result.figures().readyShare(), 2));
    assertThat(table)
        .contains("pilots", "ceilingReadyShare", "noReadySamples", "pilotsByLengthMinutes");
  }

  @Test
  void skippingPlotsWritesNoPng() {
    List<Path> files = ReportWriter.write(replay(), dir.resolve("out"), false);

    assertThat(files).noneMatch(p -> p.toString().endsWith(".png"));
    assertThat(dir.resolve("out/timeline.png")).doesNotExist();
  }
}

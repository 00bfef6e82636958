package io.hpcwhisk.simulator.replay;

import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.ladder.ClairvoyantLadderReplay;
import io.hpcwhisk.simulator.online.OnlineReplay;
import io.hpcwhisk.simulator.report.ReplayResult;
import io.hpcwhisk.simulator.report.ReportWriter;
import java.nio.file.Path;
import java.util.List;

/** Runs a {@link ReplayRequest}: picks the engine for its mode, replays, writes the outputs. */
public final class Replays {

  private Replays() {}

  /** The outcome and the files written (empty without an output directory). */
  public record Outcome(ReplayResult result, List<Path> files) {
    public Outcome {
      files = List.copyOf(files);
    }
  }

  /** Replays without writing anything. */
  public static ReplayResult replay(ReplayRequest request, Progress progress) {
    if (request.mode() instanceof ReplayMode.Clairvoyant c) {
      return ClairvoyantLadderReplay.run(
          request.idleLog(),
          request.window(),
          c.ladder(),
          c.warmupSamples(),
          c.samplesPerMinute(),
          progress);
    }
    ReplayMode.Online online = (ReplayMode.Online) request.mode();
    return OnlineReplay.run(request.idleLog(), request.window(), online, request.seed(), progress);
  }

  /** Replays and writes the outputs into the request's output directory, if any. */
  public static Outcome run(ReplayRequest request, Progress progress) {
    ReplayResult result = replay(request, progress);
    List<Path> files =
        request.outDir() == null
            ? List.of()
            : ReportWriter.write(result, request.outDir(), request.plots());
    return new Outcome(result, files);
  }
}

package io.hpcwhisk.simulator.batch;

import io.hpcwhisk.simulator.sacct.SacctJob;
import io.hpcwhisk.simulator.sacct.SacctReader;
import io.hpcwhisk.simulator.swf.SwfHeader;
import io.hpcwhisk.simulator.swf.SwfJob;
import io.hpcwhisk.simulator.swf.SwfReader;
import io.hpcwhisk.simulator.trace.TraceReader;
import io.hpcwhisk.simulator.trace.TraceSummary;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Turns a trace into the stream of {@link JobSpec}s the engine reads, one job at a time, in the
 * run's {@link TimeBase} (spread by a {@link TraceSpread} when the run asks): an SWF job gets
 * {@code ceil(processors / procsPerNode)} whole nodes ({@code procsPerNode} given, else {@code
 * MaxProcs / MaxNodes} from the header, 1 when unknown; sacct dumps carry NNodes); the time
 * adjustments, counted in {@link #adjustments()}, are stated in docs/simulator-guide.md, "Inputs".
 */
public final class JobSources {

  public static final String NO_REQUESTED = "no requested time: planned with the run time";
  public static final String CUT_TO_LIMIT = "run time above the requested time: cut to the limit";
  public static final String OUT_OF_ORDER = "submitted before the previous job: moved up";
  public static final String TOO_LARGE = "larger than the cluster: skipped";

  private final Map<String, Long> adjustments = new LinkedHashMap<>();
  private final int clusterNodes;
  private final TimeBase time;
  private final TraceSpread spread;

  /** Jobs in seconds. */
  public JobSources(int clusterNodes) {
    this(clusterNodes, TimeBase.SECONDS);
  }

  /** Jobs in ticks of {@code time} (the traces' seconds converted). */
  public JobSources(int clusterNodes, TimeBase time) {
    this(clusterNodes, time, null);
  }

  /**
   * Jobs in ticks of {@code time}, their times spread inside their seconds by {@code spread} (null:
   * as recorded), which needs {@link TimeBase#MILLIS}.
   */
  public JobSources(int clusterNodes, TimeBase time, TraceSpread spread) {
    if (spread != null && !time.equals(TimeBase.MILLIS)) {
      throw new IllegalArgumentException(
          "spreading trace times inside their seconds needs a run in milliseconds, "
              + "got ticks of "
              + time.ticksPerSecond()
              + " per second");
    }
    this.clusterNodes = clusterNodes;
    this.time = time;
    this.spread = spread;
  }

  public Map<String, Long> adjustments() {
    return adjustments;
  }

  /** The jobs of an SWF file ({@code procsPerNode} 0: from the header). */
  public Source swf(Path file, int procsPerNode) {
    SwfHeader header = SwfReader.readHeader(file);
    int perNode = procsPerNode > 0 ? procsPerNode : header.procsPerNode();
    SwfReader reader = new SwfReader(file);
    return new Source(
        reader, reader.records().map(j -> spec(j, perNode)), header.unixStartTime().orElse(0));
  }

  /**
   * The jobs of a sacct -P dump, timestamps read as UTC, submit times made relative to the first
   * job.
   */
  public Source sacct(Path file) {
    SacctReader reader = new SacctReader(file, ZoneOffset.UTC);
    long[] origin = {-1};
    Stream<Raw> raws =
        reader
            .records()
            .map(
                j -> {
                  if (origin[0] < 0) {
                    origin[0] = j.submit();
                  }
                  return sacctRaw(j, origin[0]);
                });
    Source source = new Source(reader, raws, 0);
    source.originSupplier = () -> Math.max(0, origin[0]);
    return source;
  }

  private static Raw spec(SwfJob j, int perNode) {
    long nodes = (j.procs() + perNode - 1) / perNode;
    return new Raw(
        j.id(),
        j.submit(),
        j.runTime(),
        j.requestedTime(),
        (int) Math.min(Integer.MAX_VALUE, nodes));
  }

  private static Raw sacctRaw(SacctJob j, long origin) {
    return new Raw(j.line(), j.submit() - origin, j.end() - j.start(), j.timeLimit(), j.nodes());
  }

  /** A job as read, before the adjustments. */
  record Raw(long id, long submit, long runTime, long requestedTime, int nodes) {}

  /**
   * Synthetic jobs from a spec {@code synthetic:jobs=N,seed=S,load=L,maxnodes=M} on the cluster:
   * sizes powers of two up to {@code maxnodes} (default 64), half of them one node; run times
   * log-uniform in [30 s, 12 h]; requested times the run time × U[1, 3] rounded up to minutes;
   * Poisson arrivals whose rate gives the offered load L (default 0.9) of the cluster.
   */
  public Source synthetic(String spec) {
    Map<String, String> p = parseSpec(spec);
    long jobs = Long.parseLong(p.getOrDefault("jobs", "10000"));
    long seed = Long.parseLong(p.getOrDefault("seed", "1"));
    double load = Double.parseDouble(p.getOrDefault("load", "0.9"));
    int maxNodes = Math.min(clusterNodes, Integer.parseInt(p.getOrDefault("maxnodes", "64")));
    if (jobs < 1 || !(load > 0) || maxNodes < 1) {
      throw new IllegalArgumentException(
          "synthetic trace: need jobs >= 1, load > 0, maxnodes >= 1, got '" + spec + "'");
    }
    SplittableRandom random = new SplittableRandom(seed);
    double lnMin = Math.log(30);
    double lnMax = Math.log(12 * 3600);
    double meanRun = (43_200 - 30) / (lnMax - lnMin);
    int levels = 31 - Integer.numberOfLeadingZeros(maxNodes);
    double meanNodes = 0.5 * 1;
    for (int l = 1; l <= levels; l++) {
      meanNodes += 0.5 / levels * (1 << l);
    }
    if (levels == 0) {
      meanNodes = 1;
    }
    double meanGap = meanNodes * meanRun / (load * clusterNodes);
    int finalLevels = levels;
    Iterator<Raw> it =
        new Iterator<>() {
          long made;
          double clock;

          @Override
          public boolean hasNext() {
            return made < jobs;
          }

          @Override
          public Raw next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            made++;
            clock += -Math.log(1 - random.nextDouble()) * meanGap;
            int size =
                finalLevels == 0 || random.nextBoolean()
                    ? 1
                    : 1 << (1 + random.nextInt(finalLevels));
            long run = Math.round(Math.exp(lnMin + random.nextDouble() * (lnMax - lnMin)));
            long requested =
                BatchSimulation.roundUp((long) Math.ceil(run * (1 + 2 * random.nextDouble())), 60);
            return new Raw(made, (long) clock, run, requested, size);
          }
        };
    Stream<Raw> raws = Stream.generate(it::next).limit(jobs);
    return new Source(null, raws, 0);
  }

  /**
   * Jobs given in memory with times in seconds (tests, validation runs), converted to ticks like a
   * trace's.
   */
  public Source fixed(List<JobSpec> jobs) {
    Stream<Raw> raws =
        jobs.stream()
            .map(j -> new Raw(j.traceId(), j.submit(), j.runTime(), j.requestedTime(), j.nodes()));
    return new Source(null, raws, 0);
  }

  static Map<String, String> parseSpec(String spec) {
    String body = spec.startsWith("synthetic:") ? spec.substring("synthetic:".length()) : spec;
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : body.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "synthetic spec part '" + part + "' is not KEY=VALUE (in '" + spec + "')");
      }
      out.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
    }
    return out;
  }

  /**
   * An open trace: iterate {@link #jobs()} once, then read {@link #summary()}; close to close the
   * file.
   */
  public final class Source implements AutoCloseable {
    private final TraceReader<?> reader;
    private final Stream<Raw> raws;
    private final long unixOrigin;
    private LongSupplier originSupplier;
    private final TraceSpread.Pass spreading = spread == null ? null : spread.pass();
    private long ordinal;
    private long lastSubmit;

    Source(TraceReader<?> reader, Stream<Raw> raws, long unixOrigin) {
      this.reader = reader;
      this.raws = raws;
      this.unixOrigin = unixOrigin;
    }

    public Iterator<JobSpec> jobs() {
      Function<Raw, JobSpec> adjust = this::adjust;
      return raws.map(adjust).filter(Objects::nonNull).iterator();
    }

    /**
     * The unix second that trace time 0 stands for (SWF UnixStartTime, the first sacct submit, or
     * 0).
     */
    public long unixOrigin() {
      return originSupplier != null ? originSupplier.getAsLong() : unixOrigin;
    }

    /** What the reader read and skipped, with this class's adjustments as warnings. */
    public TraceSummary summary() {
      if (reader == null) {
        return new TraceSummary("synthetic", ordinal, ordinal, Map.of(), adjustments);
      }
      TraceSummary s = reader.summary();
      return new TraceSummary(s.source(), s.lines(), s.records(), s.skipped(), adjustments);
    }

    public long jobsAccepted() {
      return ordinal;
    }

    private JobSpec adjust(Raw raw) {
      if (raw.nodes() > clusterNodes) {
        count(TOO_LARGE);
        return null;
      }
      long submit = raw.submit();
      if (submit < lastSubmit) {
        count(OUT_OF_ORDER);
        submit = lastSubmit;
      }
      lastSubmit = submit;
      long requested = raw.requestedTime();
      long run = raw.runTime();
      if (requested <= 0) {
        count(NO_REQUESTED);
        requested = Math.max(1, run);
      }
      if (run > requested) {
        count(CUT_TO_LIMIT);
        run = requested;
      }
      JobSpec job =
          new JobSpec(
              ordinal++,
              raw.id(),
              time.ticks(submit),
              time.ticks(run),
              time.ticks(requested),
              raw.nodes(),
              10);
      return spreading == null ? job : spreading.spread(job);
    }

    private void count(String what) {
      adjustments.merge(what, 1L, Long::sum);
    }

    @Override
    public void close() {
      raws.close();
    }
  }
}

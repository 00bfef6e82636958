package io.hpcwhisk.slurm.cli;

import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.ClusterView;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.PilotOwner;
import io.hpcwhisk.slurm.SlurmAccessException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads only what a controller pass needs, in the same shape on Slurm 22.05 and 24.x: 2 Slurm calls
 * a pass (3 when the partition map is read again, every {@link #PARTITION_REFRESH} passes), framed
 * records, skipped and counted garbage ({@link #garbageLines()}, a pass with no readable line fails
 * with {@link SlurmAccessException.Reason#GARBAGE}); the commands and why are stated in
 * docs/admin-guide.md §4, "What it does every pass, and what it exports".
 */
public final class SlurmCliFilteredView implements ClusterView {

  private static final Logger LOG = LoggerFactory.getLogger(SlurmCliFilteredView.class);

  /** How many passes the partition map is kept at most. */
  public static final int PARTITION_REFRESH = 120;

  private final SlurmCli cli;
  private final InstantSource clock;
  private final NodeGres gres;
  private final String partition;
  private final PilotOwner pilots;
  private final AtomicLong garbage = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();

  private String lastSinfo;
  private List<NodeInfo> lastNodes = List.of();
  private Set<String> lastNodeNames = Set.of();
  private String lastSqueue;
  private List<Job> lastJobs = List.of();
  private List<String> jobPartitions;
  private int passesSincePartitions;
  private long lastPassCalls;
  private String lastLoggedGarbage = "";

  /**
   * @param cli the Slurm commands
   * @param clock the observation clock
   * @param gres where the nodes' GPUs are kept (for the pilot launcher)
   * @param partition the harvest partition
   * @param pilots which jobs are our pilots (their finished records are kept)
   */
  public SlurmCliFilteredView(
      SlurmCli cli, InstantSource clock, NodeGres gres, String partition, PilotOwner pilots) {
    this.cli = Objects.requireNonNull(cli, "cli");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.gres = Objects.requireNonNull(gres, "gres");
    this.partition = Objects.requireNonNull(partition, "partition");
    this.pilots = Objects.requireNonNull(pilots, "pilots");
  }

  @Override
  public synchronized ClusterObservation observe() {
    var now = clock.instant();
    long calls0 = calls.get();
    try {
      String sinfo = call(() -> cli.sinfoLines(partition));
      List<NodeInfo> nodes = lastNodes;
      if (!sinfo.equals(lastSinfo)) {
        Map<String, Integer> gpus = new HashMap<>();
        SlurmLines.Parsed<NodeInfo> parsed = SlurmLines.nodes(sinfo, gpus);
        checked(parsed, "sinfo --Node --format=" + SlurmLines.SINFO_FORMAT);
        nodes = List.copyOf(parsed.records());
        gres.set(gpus);
        lastSinfo = sinfo;
        lastNodes = nodes;
      }
      Set<String> names = new HashSet<>();
      nodes.forEach(n -> names.add(n.name()));
      if (jobPartitions == null
          || !names.equals(lastNodeNames)
          || ++passesSincePartitions >= PARTITION_REFRESH) {
        jobPartitions = sharing(call(cli::partitionNodes), names);
        lastNodeNames = Set.copyOf(names);
        passesSincePartitions = 0;
      }
      String mark = SlurmLines.newMark();
      String squeue = call(() -> cli.squeueLines(jobPartitions, "all", mark));
      List<Job> jobs = lastJobs;
      String unmarked = squeue.replace(mark, "\u0000"); // the same answer under another mark
      if (!unmarked.equals(lastSqueue)) {
        SlurmLines.Parsed<Job> parsed = SlurmLines.jobs(squeue, mark, pilots::owns);
        checked(parsed, "squeue --Format=" + String.join(",", SlurmLines.SQUEUE_FIELDS));
        jobs = List.copyOf(parsed.records());
        lastSqueue = unmarked;
        lastJobs = jobs;
      }
      return new ClusterObservation(now, nodes, jobs);
    } finally {
      lastPassCalls = calls.get() - calls0;
    }
  }

  /** Lines skipped as garbage since the view was made. */
  public long garbageLines() {
    return garbage.get();
  }

  /** Slurm calls (each one slurmctld RPC or two) made since the view was made. */
  public long calls() {
    return calls.get();
  }

  /** Slurm calls made by the last {@link #observe()}. */
  public synchronized long lastPassCalls() {
    return lastPassCalls;
  }

  private String call(Supplier<String> command) {
    calls.incrementAndGet();
    return command.get();
  }

  private <T> void checked(SlurmLines.Parsed<T> parsed, String what) {
    if (parsed.garbage() == 0) {
      return;
    }
    garbage.addAndGet(parsed.garbage());
    String first = parsed.firstGarbage().orElse("");
    if (parsed.records().isEmpty() && parsed.garbage() >= 1) {
      throw new SlurmAccessException(
          SlurmAccessException.Reason.GARBAGE,
          "cannot read "
              + what
              + ": none of its "
              + parsed.lines()
              + " lines is what Slurm prints, first: '"
              + first
              + "'");
    }
    if (first.equals(lastLoggedGarbage)) {
      return; // the same garbage as last logged: counted, not logged again
    }
    lastLoggedGarbage = first;
    LOG.warn(
        "{}: skipped {} of {} lines that are not what Slurm prints (first: '{}'); read the rest",
        what,
        parsed.garbage(),
        parsed.lines(),
        first);
  }

  /**
   * The partitions (from {@code sinfo --format=%R|%N}) that have a node in {@code harvestNodes},
   * the harvest partition always among them; empty (every partition: no filter) when a line of the
   * answer cannot be read.
   */
  List<String> sharing(String partitionNodes, Set<String> harvestNodes) {
    List<String> out = new ArrayList<>();
    out.add(partition);
    int bad = 0;
    for (String line : partitionNodes.lines().toList()) {
      String[] f = line.strip().split("\\|", 2);
      if (f.length != 2 || !f[0].matches("[A-Za-z0-9._-]+")) {
        bad += line.isBlank() ? 0 : 1;
        continue;
      }
      if (out.contains(f[0])) {
        continue;
      }
      List<String> members;
      try {
        members = HostList.expand(f[1].strip().equals("(null)") ? "" : f[1].strip());
      } catch (IllegalArgumentException e) {
        bad++;
        continue;
      }
      if (members.stream().anyMatch(harvestNodes::contains)) {
        out.add(f[0]);
      }
    }
    if (bad > 0) {
      garbage.addAndGet(bad);
      LOG.warn(
          "sinfo --format=%R|%N: {} lines are not a partition and its nodes; reading the jobs of"
              + " every partition until the next read of the partitions",
          bad);
      return List.of();
    }
    return List.copyOf(out);
  }
}

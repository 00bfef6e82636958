package io.hpcwhisk.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cores and GPUs a pilot's runtimes share, each runtime taking distinct ones for its life
 * (pinned with {@code taskset -c}, GPUs through {@code CUDA_VISIBLE_DEVICES}); where they come from
 * and what the pinning does not hold: docs/admin-guide.md §7, "GPU nodes and cores (GRES)", and
 * docs/pilot.md, "Action isolation".
 */
public final class DevicePool {

  private final List<Integer> cores;
  private final List<String> gpus;
  private final Set<Integer> freeCores;
  private final Set<String> freeGpus;

  /** What one runtime holds. */
  public record Grant(List<Integer> cores, List<String> gpus) {
    public Grant {
      cores = List.copyOf(cores);
      gpus = List.copyOf(gpus);
    }

    /** The cores as {@code taskset -c} takes them, e.g. {@code 0,2}. */
    public String coreList() {
      return String.join(",", cores.stream().map(String::valueOf).toList());
    }
  }

  public DevicePool(List<Integer> cores, List<String> gpus) {
    this.cores = List.copyOf(new TreeSet<>(cores));
    this.gpus = List.copyOf(new LinkedHashSet<>(gpus));
    this.freeCores = new TreeSet<>(this.cores);
    this.freeGpus = new LinkedHashSet<>(this.gpus);
  }

  /** The cores this process may run on, no GPUs (the server's local executor, tests). */
  public static DevicePool ofThisProcess() {
    return new DevicePool(allowedCpus(), List.of());
  }

  /**
   * The cores and GPUs of a Slurm job, from this process's allowed CPUs and the job's environment
   * (see the class comment).
   */
  public static DevicePool ofJob(Map<String, String> env) {
    List<Integer> allowed = allowedCpus();
    int onNode = leadingInt(env.get("SLURM_CPUS_ON_NODE"));
    if (onNode > 0 && onNode < allowed.size()) {
      allowed = allowed.subList(0, onNode);
    }
    return new DevicePool(allowed, gpuIds(env));
  }

  /** The job's GPU ids from its environment; empty without GPUs. */
  static List<String> gpuIds(Map<String, String> env) {
    for (String name : List.of("CUDA_VISIBLE_DEVICES", "SLURM_JOB_GPUS", "GPU_DEVICE_ORDINAL")) {
      String value = env.get(name);
      if (value != null && !value.isBlank() && !value.strip().equals("NoDevFiles")) {
        List<String> ids = new ArrayList<>();
        for (String id : value.strip().split(",")) {
          if (id.strip().matches("[A-Za-z0-9:_.-]{1,64}")) {
            ids.add(id.strip());
          }
        }
        return ids;
      }
    }
    return List.of();
  }

  /** {@code Cpus_allowed_list} of {@code /proc/self/status}; all processors when unreadable. */
  static List<Integer> allowedCpus() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Cpus_allowed_list:")) {
          List<Integer> cpus = parseCpuList(line.substring(line.indexOf(':') + 1));
          if (!cpus.isEmpty()) {
            return cpus;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or no /proc: every processor
    }
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      all.add(i);
    }
    return all;
  }

  /** Parses a Linux CPU list such as {@code 0-3,8,10-11}. */
  public static List<Integer> parseCpuList(String list) {
    Set<Integer> cpus = new TreeSet<>();
    for (String part : list.strip().split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-');
      if (dash < 0) {
        cpus.add(Integer.parseInt(p));
      } else {
        int from = Integer.parseInt(p.substring(0, dash));
        int to = Integer.parseInt(p.substring(dash + 1));
        if (to < from || to - from > 65_536) {
          throw new IllegalArgumentException("bad CPU range " + p);
        }
        for (int c = from; c <= to; c++) {
          cpus.add(c);
        }
      }
    }
    return List.copyOf(cpus);
  }

  private static int leadingInt(String value) {
    if (value == null) {
      return 0;
    }
    Matcher m = Pattern.compile("^(\\d{1,6})").matcher(value.strip());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /** All the cores runtimes can be pinned to. */
  public List<Integer> cores() {
    return cores;
  }

  /** All the GPU ids. */
  public List<String> gpus() {
    return gpus;
  }

  /**
   * Takes {@code cores} distinct free cores (lowest first) and {@code gpus} free GPUs, or null when
   * not enough are free.
   */
  public synchronized Grant take(int cores, int gpus) {
    if (cores > freeCores.size() || gpus > freeGpus.size()) {
      return null;
    }
    List<Integer> c = new ArrayList<>(freeCores).subList(0, cores);
    List<String> g = new ArrayList<>(freeGpus).subList(0, gpus);
    Grant grant = new Grant(c, g);
    c.forEach(freeCores::remove);
    g.forEach(freeGpus::remove);
    return grant;
  }

  /** Gives a grant back. */
  public synchronized void give(Grant grant) {
    freeCores.addAll(grant.cores());
    freeGpus.addAll(grant.gpus());
  }

  /** How many cores and GPUs are free, for tests and logs. */
  public synchronized String describeFree() {
    return freeCores.size()
        + " of "
        + cores.size()
        + " cores, "
        + freeGpus.size()
        + " of "
        + gpus.size()
        + " GPUs free";
  }
}

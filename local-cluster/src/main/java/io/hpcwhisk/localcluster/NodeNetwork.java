package io.hpcwhisk.localcluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The private network of a local cluster with isolated nodes ({@code --isolated-nodes}): one
 * network namespace per node joined by a veth pair to one bridge, on a /24 out of {@link
 * #CANDIDATES} that overlaps nothing of the machine, every name recorded in {@code
 * DIR/network.properties} before it is created so that {@link #down} removes them even after a
 * crash ({@link #leftovers}: what is still present); addresses and routes are stated in
 * docs/admin-guide.md §7, "Isolated nodes on one machine", and docs/local-cluster.md. Needs root
 * ({@code CAP_NET_ADMIN}) and {@code ip}.
 */
public final class NodeNetwork {

  /**
   * Candidate /24 subnets, as their first three octets; the first free one from a per-directory
   * start is taken.
   */
  static final List<String> CANDIDATES = candidates();

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final String FILE = "network.properties";
  private static final Pattern CIDR = Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+)(?:/(\\d+))?");

  private final Path dir;
  private final String prefix;
  private final String subnet;
  private final int nodes;

  private NodeNetwork(Path dir, String prefix, String subnet, int nodes) {
    this.dir = dir;
    this.prefix = prefix;
    this.subnet = subnet;
    this.nodes = nodes;
  }

  /** The network recorded in {@code dir}, if a cluster with isolated nodes was started there. */
  public static Optional<NodeNetwork> recorded(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
      return Optional.of(
          new NodeNetwork(
              dir,
              p.getProperty("prefix"),
              p.getProperty("subnet"),
              Integer.parseInt(p.getProperty("nodes"))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Chooses names and a free subnet for {@code nodes} nodes of the cluster in {@code dir} (creates
   * nothing).
   */
  static NodeNetwork plan(Path dir, int nodes) {
    String prefix = "hw" + String.format("%06x", dir.toString().hashCode() & 0xffffff);
    List<int[]> used = usedNetworks();
    int start = Math.floorMod(dir.toString().hashCode() * 31, CANDIDATES.size());
    for (int i = 0; i < CANDIDATES.size(); i++) {
      String candidate = CANDIDATES.get((start + i) % CANDIDATES.size());
      int[] net = {toInt(candidate + ".0"), 24};
      if (used.stream().noneMatch(u -> overlaps(u, net))) {
        return new NodeNetwork(dir, prefix, candidate, nodes);
      }
    }
    throw new LocalClusterException(
        "no free private /24 subnet for isolated nodes: every candidate ("
            + CANDIDATES.get(0)
            + ".0/24 ...) overlaps an address or route of this machine (ip -4 addr, ip -4 route)");
  }

  /** The host side's address on the cluster network (slurmctld, the HPC-Whisk server). */
  public String hostAddress() {
    return subnet + ".1";
  }

  /** Node {@code nK}'s address. */
  public String nodeAddress(int k) {
    return subnet + "." + (10 + k);
  }

  /** The subnet, e.g. {@code 10.213.7.0/24}. */
  public String subnet() {
    return subnet + ".0/24";
  }

  /** The network namespace of node {@code nK}. */
  public String namespace(int k) {
    return prefix + "-n" + k;
  }

  public String bridge() {
    return prefix + "br";
  }

  private String hostEnd(int k) {
    return prefix + "h" + k;
  }

  public int nodes() {
    return nodes;
  }

  /**
   * The command prefix that runs a program inside node {@code nK}'s network namespace: {@code
   * nsenter --net} enters only that namespace ({@code ip netns exec} would also remount {@code
   * /sys}, hiding the cgroup file system slurmd needs).
   */
  List<String> exec(int k) {
    String nsenter =
        Commands.locate("nsenter")
            .map(Path::toString)
            .orElseThrow(
                () ->
                    new LocalClusterException(
                        "--isolated-nodes needs nsenter (apt-get install util-linux)"));
    return List.of(nsenter, "--net=/run/netns/" + namespace(k), "--");
  }

  /** The addresses of the nodes, comma-separated in node order (slurm.conf's {@code NodeAddr}). */
  String nodeAddresses() {
    List<String> addresses = new ArrayList<>();
    for (int k = 1; k <= nodes; k++) {
      addresses.add(nodeAddress(k));
    }
    return String.join(",", addresses);
  }

  /**
   * Creates the bridge, the namespaces and their links; on failure removes what it made and throws.
   */
  void up(PrintStream out) {
    record();
    try {
      run(List.of(ip(), "link", "add", bridge(), "type", "bridge"));
      run(List.of(ip(), "addr", "add", hostAddress() + "/24", "dev", bridge()));
      run(List.of(ip(), "link", "set", bridge(), "up"));
      for (int k = 1; k <= nodes; k++) {
        String ns = namespace(k);
        String peer = prefix + "p" + k;
        run(List.of(ip(), "netns", "add", ns));
        run(List.of(ip(), "-n", ns, "link", "set", "lo", "up"));
        run(List.of(ip(), "link", "add", hostEnd(k), "type", "veth", "peer", "name", peer));
        run(List.of(ip(), "link", "set", peer, "netns", ns));
        run(List.of(ip(), "-n", ns, "link", "set", peer, "name", "eth0"));
        run(List.of(ip(), "-n", ns, "addr", "add", nodeAddress(k) + "/24", "dev", "eth0"));
        run(List.of(ip(), "-n", ns, "link", "set", "eth0", "up"));
        run(List.of(ip(), "link", "set", hostEnd(k), "master", bridge()));
        run(List.of(ip(), "link", "set", hostEnd(k), "up"));
      }
      out.println(
          "Isolated nodes: bridge "
              + bridge()
              + " "
              + subnet()
              + ", host side "
              + hostAddress()
              + ", nodes "
              + nodeAddresses()
              + " (namespaces "
              + namespace(1)
              + (nodes > 1 ? " ... " + namespace(nodes) : "")
              + ")");
    } catch (RuntimeException e) {
      down(out);
      throw e;
    }
  }

  /**
   * Kills the processes left in this network's namespaces, deletes the namespaces, the veth ends
   * and the bridge, and forgets the record when nothing is left.
   *
   * @return what could not be removed (empty on success)
   */
  public List<String> down(PrintStream out) {
    for (int k = 1; k <= nodes; k++) {
      killInside(namespace(k), out);
    }
    for (int k = 1; k <= nodes; k++) {
      if (exists("netns", namespace(k))) {
        quiet(List.of(ip(), "netns", "del", namespace(k)));
      }
      if (exists("link", hostEnd(k))) {
        quiet(List.of(ip(), "link", "del", hostEnd(k)));
      }
    }
    if (exists("link", bridge())) {
      quiet(List.of(ip(), "link", "del", bridge()));
    }
    List<String> left = leftovers();
    if (left.isEmpty()) {
      try {
        Files.deleteIfExists(dir.resolve(FILE));
      } catch (IOException e) {
        out.println("cannot delete " + dir.resolve(FILE) + ": " + e.getMessage());
      }
    } else {
      out.println("Isolated nodes: still present after down: " + left);
    }
    return left;
  }

  /** The namespaces, links and routes of this network that exist now. */
  public List<String> leftovers() {
    List<String> left = new ArrayList<>();
    String namespaces = Commands.run(List.of(ip(), "netns", "list"), Map.of(), TIMEOUT).stdout();
    for (int k = 1; k <= nodes; k++) {
      String ns = namespace(k);
      if (namespaces.lines().anyMatch(l -> l.split(" ")[0].equals(ns))) {
        left.add("netns " + namespace(k));
      }
      if (exists("link", hostEnd(k))) {
        left.add("link " + hostEnd(k));
      }
    }
    if (exists("link", bridge())) {
      left.add("link " + bridge());
    }
    String routes = Commands.run(List.of(ip(), "-4", "route", "show"), Map.of(), TIMEOUT).stdout();
    routes.lines().filter(l -> l.startsWith(subnet())).forEach(l -> left.add("route " + l.strip()));
    return left;
  }

  private void killInside(String ns, PrintStream out) {
    if (!exists("netns", ns)) {
      return;
    }
    CommandResult pids = Commands.run(List.of(ip(), "netns", "pids", ns), Map.of(), TIMEOUT);
    List<ProcessHandle> inside =
        pids.stdout()
            .lines()
            .map(String::strip)
            .filter(s -> s.matches("\\d+"))
            .map(Long::parseLong)
            .map(ProcessHandle::of)
            .flatMap(Optional::stream)
            .toList();
    if (inside.isEmpty()) {
      return;
    }
    out.println("Isolated nodes: stopping " + inside.size() + " processes left in " + ns);
    inside.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline && inside.stream().anyMatch(ProcessHandle::isAlive)) {
      Daemons.pause(100);
    }
    inside.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private boolean exists(String kind, String name) {
    if (kind.equals("netns")) {
      return Files.exists(Path.of("/run/netns", name));
    }
    return Commands.run(List.of(ip(), "link", "show", name), Map.of(), TIMEOUT).ok();
  }

  private void record() {
    Properties p = new Properties();
    p.setProperty("prefix", prefix);
    p.setProperty("subnet", subnet);
    p.setProperty("nodes", String.valueOf(nodes));
    try {
      Files.createDirectories(dir);
      try (var w = Files.newBufferedWriter(dir.resolve(FILE))) {
        p.store(
            w, "isolated nodes of hpc-whisk local-cluster up --isolated-nodes; removed by down");
      }
    } catch (IOException e) {
      throw new LocalClusterException(
          "cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
    }
  }

  private static void run(List<String> command) {
    Commands.run(command, Map.of(), TIMEOUT).orThrow();
  }

  private static void quiet(List<String> command) {
    Commands.run(command, Map.of(), TIMEOUT);
  }

  static String ip() {
    return Commands.locate("ip")
        .map(Path::toString)
        .orElseThrow(
            () ->
                new LocalClusterException(
                    "--isolated-nodes needs the ip command (apt-get install iproute2)"));
  }

  /** The IPv4 networks of the machine's addresses and routes, as {address, prefix length}. */
  private static List<int[]> usedNetworks() {
    List<int[]> used = new ArrayList<>();
    String text =
        Commands.run(List.of(ip(), "-4", "-o", "addr", "show"), Map.of(), TIMEOUT)
                .orThrow()
                .stdout()
            + Commands.run(List.of(ip(), "-4", "route", "show", "table", "all"), Map.of(), TIMEOUT)
                .stdout();
    for (String line : text.lines().toList()) {
      if (line.startsWith("default") || line.contains(" default ")) {
        continue;
      }
      Matcher m = CIDR.matcher(line);
      while (m.find()) {
        int length = m.group(2) == null ? 32 : Integer.parseInt(m.group(2));
        used.add(new int[] {toInt(m.group(1)), length});
      }
    }
    return used;
  }

  static boolean overlaps(int[] a, int[] b) {
    int length = Math.min(a[1], b[1]);
    int mask = length == 0 ? 0 : -1 << (32 - length);
    return (a[0] & mask) == (b[0] & mask);
  }

  static int toInt(String address) {
    String[] parts = address.split("\\.");
    int value = 0;
    for (String part : parts) {
      value = (value << 8) | Integer.parseInt(part);
    }
    return value;
  }

  private static List<String> candidates() {
    List<String> list = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      list.add("10.213." + (200 + i));
      list.add("172.31." + (200 + i));
      list.add("192.168." + (200 + i));
    }
    return List.copyOf(list);
  }
}

package io.hpcwhisk.slurm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.NodeState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Parses {@code sinfo --json} and {@code squeue --json} of Slurm 22.05 (OpenAPI v0.0.38) and of
 * 24.05–25.x (data_parser v0.0.40–v0.0.42; tested against real Slurm 24.11.5 output in all three).
 *
 * <p>Shapes handled: numbers plain (22.05) or wrapped as {@code {"set":…,"infinite":…,"number":…}}
 * (23.02+); states as a lower-case string plus {@code state_flags} (22.05) or as a list of
 * upper-case names (23.02+); node records under {@code nodes} (22.05/23.x) or grouped under {@code
 * sinfo} with {@code nodes.nodes}, {@code node.state} and {@code partition.name} (24.x); scheduled
 * nodes of pending jobs in {@code scheduled_nodes} where present (23.x+; 22.05 has none, the caller
 * adds them from {@code squeue -o %Y}). Missing or null fields take empty values rather than
 * failing; a document that is not JSON or lacks both {@code nodes} and {@code sinfo} (or {@code
 * jobs}) is refused.
 */
public final class SlurmJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SlurmJson() {}

  /** The nodes of an {@code sinfo --json} document, one per node name (partitions merged). */
  public static List<NodeInfo> nodes(String json) {
    JsonNode root = parse(json, "sinfo --json");
    Map<String, NodeAccumulator> byName = new LinkedHashMap<>();
    if (root.path("nodes").isArray()) {
      for (JsonNode n : root.path("nodes")) {
        String name = n.path("name").asText("");
        if (name.isEmpty()) {
          continue;
        }
        List<String> states = new ArrayList<>(strings(n.path("state")));
        states.addAll(strings(n.path("state_flags")));
        byName
            .computeIfAbsent(name, k -> new NodeAccumulator())
            .add(states, strings(n.path("partitions")));
      }
    } else if (root.path("sinfo").isArray()) {
      for (JsonNode group : root.path("sinfo")) {
        List<String> states = strings(group.path("node").path("state"));
        String partition = group.path("partition").path("name").asText("");
        for (String name : strings(group.path("nodes").path("nodes"))) {
          byName
              .computeIfAbsent(name, k -> new NodeAccumulator())
              .add(states, partition.isEmpty() ? List.of() : List.of(partition));
        }
      }
    } else {
      throw new IllegalArgumentException(
          "sinfo --json output has neither 'nodes' nor 'sinfo': " + head(json));
    }
    List<NodeInfo> out = new ArrayList<>();
    byName.forEach(
        (name, acc) -> out.add(new NodeInfo(name, nodeState(acc.states), acc.partitions)));
    return out;
  }

  /**
   * The jobs of a {@code squeue --json} document (every state it lists). A job that ended after
   * Slurm preempted it is {@link JobState#PREEMPTED} whatever state Slurm records: a pilot that
   * leaves within the grace time, as it should, ends {@code COMPLETED} with a {@code preempt_time}.
   */
  public static List<Job> jobs(String json) {
    JsonNode root = parse(json, "squeue --json");
    if (!root.path("jobs").isArray()) {
      throw new IllegalArgumentException("squeue --json output has no 'jobs' array: " + head(json));
    }
    List<Job> out = new ArrayList<>();
    for (JsonNode j : root.path("jobs")) {
      OptionalLong id = number(j.path("job_id"));
      if (id.isEmpty() || id.getAsLong() <= 0) {
        continue;
      }
      JobState state = jobState(strings(j.path("job_state")));
      if (!state.active() && number(j.path("preempt_time")).orElse(0) > 0) {
        state =
            JobState
                .PREEMPTED; // preempted, and it left by itself within the grace time (COMPLETED,
        // FAILED)
      }
      List<String> nodes = HostList.expand(j.path("nodes").asText(""));
      if (state == JobState.PENDING) {
        nodes = HostList.expand(j.path("scheduled_nodes").asText(""));
      }
      String qos = j.path("qos").asText("");
      OptionalLong limit = number(j.path("time_limit"));
      OptionalLong timeMin = number(j.path("time_minimum"));
      out.add(
          new Job(
              new JobId(id.getAsLong()),
              j.path("name").asText(""),
              j.path("partition").asText(""),
              qos.isEmpty() ? Optional.empty() : Optional.of(qos),
              state,
              nodes,
              HostList.expand(j.path("required_nodes").asText("")),
              instant(j.path("submit_time")),
              instant(j.path("start_time")),
              instant(j.path("end_time")),
              limit.isPresent()
                  ? Optional.of(Duration.ofMinutes(limit.getAsLong()))
                  : Optional.empty(),
              timeMin.isPresent() && timeMin.getAsLong() > 0
                  ? Optional.of(Duration.ofMinutes(timeMin.getAsLong()))
                  : Optional.empty(),
              (int) number(j.path("nice")).orElse(0),
              instant(j.path("preempt_time")),
              j.path("user_name").asText("").isBlank()
                  ? Optional.empty()
                  : Optional.of(j.path("user_name").asText())));
    }
    return out;
  }

  /**
   * The data_parser version the document's {@code meta.plugin.data_parser} names ({@code v0.0.42}
   * of {@code data_parser/v0.0.42}; Slurm 23.11+), or empty (22.05 names {@code openapi/v0.0.38} in
   * {@code meta.plugin.type} instead; not JSON: empty).
   */
  public static Optional<String> dataParser(String json) {
    try {
      String parser =
          MAPPER
              .readTree(json == null ? "" : json)
              .path("meta")
              .path("plugin")
              .path("data_parser")
              .asText("");
      return parser.startsWith("data_parser/v")
          ? Optional.of(parser.substring("data_parser/".length()))
          : Optional.empty();
    } catch (JsonProcessingException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The Slurm release the document's {@code meta} names, such as {@code 22.05.8}, or empty. */
  public static Optional<String> release(String json) {
    JsonNode meta = parse(json, "--json").path("meta");
    String release =
        meta.path("Slurm").path("release").asText(meta.path("slurm").path("release").asText(""));
    return release.isEmpty() ? Optional.empty() : Optional.of(release);
  }

  /** A number, plain or wrapped; empty when null, missing, unset or infinite. */
  static OptionalLong number(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return OptionalLong.empty();
    }
    if (node.isNumber()) {
      return OptionalLong.of(node.asLong());
    }
    if (node.isTextual()) {
      try {
        return OptionalLong.of(Long.parseLong(node.asText().strip()));
      } catch (NumberFormatException e) {
        return OptionalLong.empty();
      }
    }
    if (node.isObject()) {
      if (!node.path("set").asBoolean(true) || node.path("infinite").asBoolean(false)) {
        return OptionalLong.empty();
      }
      return number(node.path("number"));
    }
    return OptionalLong.empty();
  }

  /** An epoch-seconds instant; 0 and unset are empty. */
  static Optional<Instant> instant(JsonNode node) {
    OptionalLong seconds = number(node);
    return seconds.isPresent() && seconds.getAsLong() > 0
        ? Optional.of(Instant.ofEpochSecond(seconds.getAsLong()))
        : Optional.empty();
  }

  /** A string or a list of strings, upper-cased for state names by the callers that need it. */
  static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(
          e -> {
            if (e.isValueNode() && !e.asText().isEmpty()) {
              out.add(e.asText());
            }
          });
    } else if (node.isValueNode() && !node.isNull() && !node.asText().isEmpty()) {
      out.add(node.asText());
    }
    return out;
  }

  /**
   * Folds Slurm's base state and flags into one {@link NodeState}, the most restrictive winning.
   */
  static NodeState nodeState(Set<String> rawStates) {
    Set<String> s = new LinkedHashSet<>();
    rawStates.forEach(x -> s.add(x.toUpperCase(Locale.ROOT).replace('-', '_')));
    if (s.isEmpty()
        || containsAny(
            s,
            "DOWN",
            "NOT_RESPONDING",
            "FAIL",
            "FAILING",
            "ERROR",
            "FUTURE",
            "UNKNOWN",
            "POWERED_DOWN",
            "POWERING_DOWN",
            "POWER_DOWN",
            "POWERING_UP",
            "REBOOT_REQUESTED",
            "REBOOT_ISSUED",
            "INVALID",
            "INVALID_REG",
            "UNKNOWN")) {
      return NodeState.DOWN;
    }
    if (containsAny(s, "DRAIN", "DRAINING", "DRAINED")) {
      return NodeState.DRAIN;
    }
    if (containsAny(s, "ALLOCATED", "ALLOC", "COMPLETING")) {
      return NodeState.ALLOCATED;
    }
    if (s.contains("MIXED")) {
      return NodeState.MIXED;
    }
    if (containsAny(s, "RESERVED", "MAINTENANCE", "MAINT")) {
      return NodeState.RESERVED;
    }
    if (s.contains("PLANNED")) {
      return NodeState.PLANNED;
    }
    if (s.contains("IDLE")) {
      return NodeState.IDLE;
    }
    return NodeState.DOWN;
  }

  static JobState jobState(List<String> states) {
    for (String raw : states) {
      String s = raw.toUpperCase(Locale.ROOT);
      for (JobState candidate : JobState.values()) {
        if (candidate.name().equals(s)) {
          return candidate;
        }
      }
      if (s.equals("CONFIGURING")
          || s.equals("RESIZING")
          || s.equals("SIGNALING")
          || s.equals("STAGE_OUT")) {
        return JobState.RUNNING;
      }
      if (s.equals("REQUEUED") || s.equals("REQUEUE_HOLD") || s.equals("REQUEUE_FED")) {
        return JobState.PENDING;
      }
    }
    return JobState.OTHER;
  }

  private static boolean containsAny(Set<String> set, String... values) {
    for (String v : values) {
      if (set.contains(v)) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode parse(String json, String what) {
    try {
      JsonNode root = MAPPER.readTree(json == null ? "" : json);
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException(what + " output is not a JSON object: " + head(json));
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          what + " output is not JSON (" + e.getOriginalMessage() + "): " + head(json), e);
    }
  }

  private static String head(String text) {
    String t = text == null ? "" : text.strip();
    return t.length() <= 120 ? "'" + t + "'" : "'" + t.substring(0, 120) + "…'";
  }

  private static final class NodeAccumulator {
    final Set<String> states = new LinkedHashSet<>();
    final Set<String> partitions = new LinkedHashSet<>();

    void add(List<String> moreStates, List<String> morePartitions) {
      states.addAll(moreStates);
      partitions.addAll(morePartitions);
    }
  }
}

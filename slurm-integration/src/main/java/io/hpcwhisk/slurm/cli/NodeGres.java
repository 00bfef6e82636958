package io.hpcwhisk.slurm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GPUs each node is configured with, as {@code sinfo --json} reports its generic resources
 * ({@code gres}: {@code "gpu:2"}, {@code "gpu:a100:4(S:0-1)"}, {@code "gpu:a100:2,gpu:v100:1"}),
 * kept from the controller's last observation so that the pilot launcher asks for a node's GPUs
 * ({@code --gres=gpu:N}) when it targets that node. Live only: the controller's pass does not see
 * GPUs (the simulator and the parity tests are unchanged).
 *
 * <p>Known caveat: an untargeted pilot (no {@code --nodelist}) asks for no GPU, so it holds none
 * even on a GPU node.
 */
public final class NodeGres {

  private static final Pattern GPU = Pattern.compile("^gpu(?::[^:(,]+)?:(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private volatile Map<String, Integer> gpus = Map.of();

  /** The GPUs of {@code node} at the last observation; 0 for none or an unknown node. */
  public int gpus(String node) {
    return gpus.getOrDefault(node, 0);
  }

  /** Takes the nodes' GPUs from an {@code sinfo --json} document (22.05 and 24.x). */
  public void update(String sinfoJson) {
    gpus = Map.copyOf(parse(sinfoJson));
  }

  /** Takes the nodes' GPUs as read elsewhere ({@code sinfo -o %G}): node name to GPU count. */
  public void set(Map<String, Integer> nodeGpus) {
    gpus = Map.copyOf(nodeGpus);
  }

  /** Node name to GPU count for the nodes that have GPUs. */
  static Map<String, Integer> parse(String sinfoJson) {
    Map<String, Integer> out = new HashMap<>();
    JsonNode root;
    try {
      root = JSON.readTree(sinfoJson);
    } catch (IOException e) {
      return out;
    }
    if (root.path("nodes").isArray()) {
      for (JsonNode n : root.path("nodes")) {
        int count = count(gresText(n.path("gres")));
        if (count > 0 && !n.path("name").asText("").isEmpty()) {
          out.put(n.path("name").asText(), count);
        }
      }
    } else if (root.path("sinfo").isArray()) {
      for (JsonNode group : root.path("sinfo")) {
        int count = count(gresText(group.path("gres")));
        if (count > 0) {
          for (JsonNode name : group.path("nodes").path("nodes")) {
            out.put(name.asText(), count);
          }
        }
      }
    }
    return out;
  }

  private static String gresText(JsonNode gres) {
    return gres.isTextual() ? gres.asText() : gres.path("total").asText("");
  }

  /** The GPUs a GRES string names, summed over its types; 0 without GPUs. */
  public static int count(String gres) {
    int total = 0;
    if (gres == null) {
      return 0;
    }
    for (String part : gres.split(",(?=[a-zA-Z])")) {
      Matcher m = GPU.matcher(part.strip());
      if (m.find()) {
        total += Integer.parseInt(m.group(1));
      }
    }
    return total;
  }
}

package io.hpcwhisk.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Python action that reports what an action can see and do inside its pilot's sandbox, for the
 * tests that attack the sandbox from inside an action. Its result is one JSON object:
 *
 * <ul>
 *   <li>{@code cap}: {@code CapEff} of {@code /proc/self/status} (hex); {@code uid}, {@code euid};
 *   <li>{@code environs}: how many {@code /proc/PID/environ} files it could read; {@code leaked}:
 *       the pids whose environment holds {@code HPC_WHISK_PILOT_TOKEN} or matches one of the given
 *       regular expressions;
 *   <li>{@code readable}: for each name given, whether the action could read a byte of that path;
 *       {@code visible}: for each name given, whether that path exists for the action;
 *   <li>{@code neighbours}: the entries beside its own runtime directory ({@code $HOME}) that it
 *       can list;
 *   <li>{@code env}: the names of its own environment variables.
 * </ul>
 */
public final class SandboxProbe {

  private SandboxProbe() {}

  /**
   * The probe's code ({@code python:3}).
   *
   * @param leakPatterns Python regular expressions (matched with {@code re.search}) that mark a
   *     credential
   * @param readable name → path to test for reading
   * @param visible name → path to test for existence
   */
  public static String python(
      List<String> leakPatterns, Map<String, String> readable, Map<String, String> visible) {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "import os, re",
                "PATTERNS = [" + pyList(leakPatterns) + "]",
                "READABLE = {" + pyDict(readable) + "}",
                "VISIBLE = {" + pyDict(visible) + "}",
                "def readable(p):",
                "    try:",
                "        with open(p, 'rb') as f:",
                "            f.read(1)",
                "        return True",
                "    except OSError:",
                "        return False",
                "def main(args):",
                "    status = open('/proc/self/status').read()",
                "    cap = [l.split()[1] for l in status.splitlines() if"
                    + " l.startswith('CapEff:')][0]",
                "    environs, leaked = 0, []",
                "    for pid in [p for p in os.listdir('/proc') if p.isdigit()]:",
                "        try:",
                "            data = open('/proc/%s/environ' % pid, 'rb').read().decode('utf-8',"
                    + " 'replace')",
                "        except OSError:",
                "            continue",
                "        environs += 1",
                "        if 'HPC_WHISK_PILOT_TOKEN' in data or any(re.search(p, data) for p in"
                    + " PATTERNS):",
                "            leaked.append(pid)",
                "    own = os.environ['HOME']",
                "    try:",
                "        neighbours = [n for n in os.listdir(os.path.dirname(own))",
                "                      if os.path.join(os.path.dirname(own), n) != own]",
                "    except OSError:",
                "        neighbours = []",
                "    return {'cap': cap, 'uid': os.getuid(), 'euid': os.geteuid(), 'environs':"
                    + " environs, 'leaked': leaked,",
                "            'readable': {k: readable(v) for k, v in READABLE.items()},",
                "            'visible': {k: os.path.exists(v) for k, v in VISIBLE.items()},",
                "            'neighbours': neighbours, 'env': sorted(os.environ.keys())}",
                ""));
    return String.join("\n", lines);
  }

  /**
   * A Python regular expression that matches {@code text} literally (as Python's {@code
   * re.escape}).
   */
  public static String literal(String text) {
    StringBuilder b = new StringBuilder();
    text.chars()
        .forEach(
            c -> {
              if (!Character.isLetterOrDigit(c) && c != '_') {
                b.append('\\');
              }
              b.append((char) c);
            });
    return b.toString();
  }

  private static String pyList(List<String> values) {
    return String.join(", ", values.stream().map(SandboxProbe::pyString).toList());
  }

  private static String pyDict(Map<String, String> values) {
    return String.join(
        ", ",
        values.entrySet().stream()
            .map(e -> pyString(e.getKey()) + ": " + pyString(e.getValue()))
            .toList());
  }

  /**
   * A Python string literal of {@code value} (raw, so regular expressions keep their backslashes).
   */
  private static String pyString(String value) {
    if (value.contains("'") || value.endsWith("\\") || value.contains("\n")) {
      throw new IllegalArgumentException(
          "probe values must not hold quotes, line breaks or end in \\: " + value);
    }
    return "r'" + value + "'";
  }
}

package io.hpcwhisk.slurm.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake runner that answers commands (matched by their arguments after the binary) with recorded
 * results.
 */
public class RecordedCommandRunner implements CommandRunner {

  private final Map<String, Result> answers = new LinkedHashMap<>();
  private final List<List<String>> calls = new ArrayList<>();
  private final List<String> stdins = new ArrayList<>();

  /** Answers any command whose line contains {@code fragment} with {@code result}. */
  public RecordedCommandRunner answer(String fragment, Result result) {
    answers.put(fragment, result);
    return this;
  }

  public RecordedCommandRunner answer(String fragment, String stdout) {
    return answer(fragment, new Result(0, stdout, ""));
  }

  @Override
  public Result run(List<String> command, String stdin, Duration timeout) {
    calls.add(List.copyOf(command));
    stdins.add(stdin);
    String line = String.join(" ", command);
    Result best = null;
    int bestLength = -1;
    for (var e : answers.entrySet()) {
      if (line.contains(e.getKey()) && e.getKey().length() > bestLength) {
        best = e.getValue();
        bestLength = e.getKey().length();
      }
    }
    if (best == null) {
      return new Result(127, "", "no recorded answer for " + line);
    }
    return best;
  }

  public List<List<String>> calls() {
    return calls;
  }

  public List<String> stdins() {
    return stdins;
  }
}

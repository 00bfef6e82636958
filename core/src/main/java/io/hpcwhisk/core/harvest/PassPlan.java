package io.hpcwhisk.core.harvest;

import java.util.List;

/**
 * What one controller pass decided.
 *
 * @param decided every intent, in order: the controller's own preemption cancels first, then the
 *     policy's intents
 * @param toCarryOut the intents to carry out, in order: {@code decided} without the submissions
 *     over the cap
 */
public record PassPlan(List<Intent> decided, List<Intent> toCarryOut) {

  public PassPlan {
    decided = List.copyOf(decided);
    toCarryOut = List.copyOf(toCarryOut);
    if (toCarryOut.size() > decided.size()) {
      throw new IllegalArgumentException(
          "more intents to carry out ("
              + toCarryOut.size()
              + ") than decided ("
              + decided.size()
              + ")");
    }
  }

  /** How many submissions the cap on submissions per pass left out. */
  public int withheld() {
    return decided.size() - toCarryOut.size();
  }
}

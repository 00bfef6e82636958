package io.hpcwhisk.simulator.online;

/**
 * Counts pilots and pilot-seconds as pilots end: how each ended, how long it warmed up and was
 * ready. Warm-up seconds are the wasted pilot-seconds (the node was held but served nothing); a
 * pilot preempted before it was ready wasted its whole life.
 */
final class PilotAccounting {

  long submitted;
  long started;
  long pendingCancelled;
  long timedOut;
  long preempted;
  long preemptedBeforeReady;
  long cancelledRunning;
  long runningAtEnd;
  double pilotSeconds;
  double readySeconds;
  double warmingSeconds;

  void submitted() {
    submitted++;
  }

  void started() {
    started++;
  }

  void pendingCancelled() {
    pendingCancelled++;
  }

  void ended(SimulatedPilot pilot) {
    double life = pilot.endTime - pilot.startTime;
    double warming = Math.min(pilot.endTime, pilot.readyTime) - pilot.startTime;
    pilotSeconds += life;
    warmingSeconds += warming;
    readySeconds += life - warming;
    switch (pilot.end) {
      case TIMED_OUT -> timedOut++;
      case PREEMPTED -> {
        preempted++;
        if (pilot.endTime < pilot.readyTime) {
          preemptedBeforeReady++;
        }
      }
      case CANCELLED -> cancelledRunning++;
      case REPLAY_END -> runningAtEnd++;
      default -> throw new IllegalStateException("a pilot without an end: " + pilot.end);
    }
  }
}

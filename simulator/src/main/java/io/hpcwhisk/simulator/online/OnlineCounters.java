package io.hpcwhisk.simulator.online;

/**
 * What the online replay counts beyond the shared figures.
 *
 * @param pilotsSubmitted pilots the policy submitted
 * @param pendingPilotsCancelled pending pilots the policy cancelled
 * @param pilotsTimedOut pilots that reached their time limit
 * @param pilotsPreempted pilots ended because the batch workload took their node back
 * @param pilotsPreemptedBeforeReady of those, pilots that never became ready
 * @param runningPilotsCancelled running pilots the policy cancelled
 * @param pilotsRunningAtEnd pilots still running when the replay ended
 * @param pilotSeconds Σ pilot lifetimes (start to end)
 * @param pilotSecondsReady Σ ready time
 * @param pilotSecondsWasted Σ warm-up time: held nodes that served nothing
 * @param batchDelayUpperBoundSeconds preemptions × grace time: the most batch jobs can have waited
 *     for pilots
 * @param meanPendingPilots pending pilots per sample, mean
 * @param maxPendingPilots pending pilots per sample, maximum
 * @param decisions policy calls (one per sample)
 * @param submitIntents submit intents applied
 * @param cancelIntents cancel intents applied
 * @param ignoredIntents intents that could not be applied (unknown pilot, wrong partition)
 */
public record OnlineCounters(
    long pilotsSubmitted,
    long pendingPilotsCancelled,
    long pilotsTimedOut,
    long pilotsPreempted,
    long pilotsPreemptedBeforeReady,
    long runningPilotsCancelled,
    long pilotsRunningAtEnd,
    double pilotSeconds,
    double pilotSecondsReady,
    double pilotSecondsWasted,
    double batchDelayUpperBoundSeconds,
    double meanPendingPilots,
    int maxPendingPilots,
    long decisions,
    long submitIntents,
    long cancelIntents,
    long ignoredIntents) {}

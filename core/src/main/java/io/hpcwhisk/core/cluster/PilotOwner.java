package io.hpcwhisk.core.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * Which jobs are ours: a job is one of our pilots when its name starts with {@code namePrefix} and,
 * when both are known, its owner is {@code user} (the account the controller submits as). Any user
 * may name a job {@code hpcw-pilot-…}; without the owner check such a job would count as a pilot
 * (the controller would submit fewer, hold, release or cancel it, and never let it close a window).
 * A job whose owner the source does not report (a trace, a fake) is judged by its name alone.
 *
 * @param namePrefix the job-name prefix of pilot jobs
 * @param user the pilot user; empty judges by name only
 */
public record PilotOwner(String namePrefix, Optional<String> user) {

  public PilotOwner {
    Objects.requireNonNull(namePrefix, "namePrefix");
    Objects.requireNonNull(user, "user");
    if (namePrefix.isBlank()) {
      throw new IllegalArgumentException("pilot name prefix is blank");
    }
  }

  /** Pilots by name only (simulated clusters, where every job's owner is unknown). */
  public static PilotOwner byName(String namePrefix) {
    return new PilotOwner(namePrefix, Optional.empty());
  }

  /** Pilots named {@code namePrefix…} and owned by {@code user}. */
  public static PilotOwner of(String namePrefix, String user) {
    return new PilotOwner(namePrefix, Optional.of(user));
  }

  /** Whether {@code job} is one of our pilots. */
  public boolean owns(Job job) {
    if (!job.name().startsWith(namePrefix)) {
      return false;
    }
    return user.isEmpty() || job.user().isEmpty() || user.get().equals(job.user().get());
  }

  /** A job named like a pilot whose owner is someone else: reported, never touched. */
  public boolean impersonates(Job job) {
    return job.name().startsWith(namePrefix) && !owns(job);
  }
}

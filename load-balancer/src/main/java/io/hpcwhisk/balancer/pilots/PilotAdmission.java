package io.hpcwhisk.balancer.pilots;

import io.hpcwhisk.protocol.PilotMessage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether a pilot may register: its token must be valid for the job it names (see
 * {@link PilotCredentials}), a submission token must not be bound to another job already, and its id
 * must be {@code slurm-<jobId>}, so a pilot with a valid token of its own cannot take over another
 * pilot's id.
 */
public final class PilotAdmission {

  private final PilotCredentials credentials;
  private final Map<String, String> submissionBindings = new ConcurrentHashMap<>();

  public PilotAdmission(PilotCredentials credentials) {
    this.credentials = credentials;
  }

  /** Admits the registration or throws the refusal with its reason. */
  public void admit(PilotMessage.Register register, String bearerToken) throws PilotEvents.Refusal {
    String job = register.jobId();
    var grant = credentials.verify(bearerToken, job);
    if (grant.isEmpty()) {
      throw new PilotEvents.Refusal(bearerToken == null
          ? "no credential (Authorization: Bearer TOKEN) for job " + job : "invalid credential for job " + job);
    }
    if (!register.pilotId().equals("slurm-" + job)) {
      throw new PilotEvents.Refusal("pilot id '" + register.pilotId() + "' does not match job " + job
          + " (expected slurm-" + job + ")");
    }
    if (grant.get().jobId().isEmpty()) {
      String bound = submissionBindings.putIfAbsent(grant.get().scope(), job);
      if (bound != null && !bound.equals(job)) {
        throw new PilotEvents.Refusal("credential already used by job " + bound + ", not valid for job " + job);
      }
    }
  }
}

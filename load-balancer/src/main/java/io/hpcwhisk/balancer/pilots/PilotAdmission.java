package io.hpcwhisk.balancer.pilots;

import io.hpcwhisk.balancer.store.PilotBinding;
import io.hpcwhisk.balancer.store.PilotBindingStore;
import io.hpcwhisk.protocol.PilotMessage;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a pilot may register. In order: it presents a genuine credential ({@link
 * PilotCredentials}); its id is {@code slurm-<jobId>} for the job it names; a submission credential
 * is bound in the store to exactly that job (bound when {@code sbatch} answered, see {@link
 * PilotSubmissions}) and the binding has not expired; a hand-issued job credential names that job
 * and has not expired; and the {@link PilotJobVerifier} confirms with Slurm that the job runs as a
 * pilot on the node the pilot names. Every refusal carries its reason (the endpoint logs it and
 * sends it back); no reason holds a credential (a scope such as {@code sub-…} is not one: the MAC
 * is the secret).
 *
 * <p>Runs on the registering connection's thread, before the dispatcher takes its lock: a slow
 * {@code squeue} delays only that registration.
 */
public final class PilotAdmission {

  private final PilotCredentials credentials;
  private final PilotBindingStore bindings;
  private final PilotJobVerifier verifier;
  private final InstantSource clock;

  public PilotAdmission(
      PilotCredentials credentials,
      PilotBindingStore bindings,
      PilotJobVerifier verifier,
      InstantSource clock) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.bindings = Objects.requireNonNull(bindings, "bindings");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Admits the registration or throws the refusal with its reason. */
  public void admit(PilotMessage.Register register, String bearerToken) throws PilotEvents.Refusal {
    String job = register.jobId();
    if (bearerToken == null) {
      throw new PilotEvents.Refusal("no credential (Authorization: Bearer TOKEN) for job " + job);
    }
    Optional<PilotCredentials.Grant> grant = credentials.verify(bearerToken);
    if (grant.isEmpty()) {
      throw new PilotEvents.Refusal(
          "invalid credential for job " + job + " (not made with this server's secret)");
    }
    if (!register.pilotId().equals("slurm-" + job)) {
      throw new PilotEvents.Refusal(
          "pilot id '"
              + register.pilotId()
              + "' does not match job "
              + job
              + " (expected slurm-"
              + job
              + ")");
    }
    Instant now = clock.instant();
    if (grant.get() instanceof PilotCredentials.Submission s) {
      checkBinding(s.scope(), job, now);
    } else if (grant.get() instanceof PilotCredentials.Job j) {
      if (!j.jobId().equals(job)) {
        throw new PilotEvents.Refusal(
            "credential " + j.scope() + " is for job " + j.jobId() + ", not job " + job);
      }
      if (now.isAfter(j.notAfter())) {
        throw new PilotEvents.Refusal(
            "credential " + j.scope() + " for job " + job + " expired at " + j.notAfter());
      }
    }
    Optional<String> refusal = verifier.refusal(job, register.node());
    if (refusal.isPresent()) {
      throw new PilotEvents.Refusal("not verified with Slurm: " + refusal.get());
    }
  }

  private void checkBinding(String scope, String job, Instant now) throws PilotEvents.Refusal {
    Optional<PilotBinding> binding = bindings.get(scope);
    if (binding.isEmpty()) {
      throw new PilotEvents.Refusal(
          "credential "
              + scope
              + " is bound to no job (not submitted by this server's"
              + " controller, or its job has ended); not valid for job "
              + job);
    }
    PilotBinding b = binding.get();
    if (!b.jobId().equals(job)) {
      throw new PilotEvents.Refusal(
          "credential " + scope + " is bound to job " + b.jobId() + ", not valid for job " + job);
    }
    if (now.isAfter(b.notAfter())) {
      throw new PilotEvents.Refusal(
          "credential " + scope + " of job " + job + " expired at " + b.notAfter());
    }
  }
}

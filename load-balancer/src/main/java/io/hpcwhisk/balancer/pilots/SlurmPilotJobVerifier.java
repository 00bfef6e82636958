package io.hpcwhisk.balancer.pilots;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Verifies pilots with {@code squeue --json --jobs=ID}: the job must be {@code RUNNING}, in {@code
 * partition}, owned by {@code user}, and its node list must be exactly the node the pilot names. A
 * pilot that asks while Slurm cannot be reached is refused (it retries).
 *
 * <p>Known caveats: {@code squeue} runs on the registering connection's thread (never under the
 * dispatcher's lock); one call per registration, bounded by {@code timeout}. A job of the pilot
 * user in the harvest partition is trusted as a pilot: only the service account may submit there
 * (see the admin guide).
 */
public final class SlurmPilotJobVerifier implements PilotJobVerifier {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern JOB = Pattern.compile("[0-9]{1,20}(_[0-9]+)?");
  private static final Set<String> WAITING =
      Set.of(
          "PENDING",
          "REQUEUED",
          "REQUEUE_HOLD",
          "REQUEUE_FED",
          "RESV_DEL_HOLD",
          "SUSPENDED",
          "CONFIGURING");
  private static final Set<String> LIVE =
      Set.of("RUNNING", "COMPLETING", "STOPPED", "SIGNALING", "STAGE_OUT", "RESIZING");

  private final String partition;
  private final String user;
  private final Optional<Path> binDir;
  private final Map<String, String> environment;
  private final Duration timeout;

  /**
   * @param partition the harvest partition pilots must run in
   * @param user the account pilot jobs must belong to
   * @param binDir where {@code squeue} is; empty for the PATH
   * @param environment extra environment for {@code squeue} (for example {@code SLURM_CONF})
   * @param timeout the most one call may take
   */
  public SlurmPilotJobVerifier(
      String partition,
      String user,
      Optional<Path> binDir,
      Map<String, String> environment,
      Duration timeout) {
    this.partition = Objects.requireNonNull(partition, "partition");
    this.user = Objects.requireNonNull(user, "user");
    this.binDir = Objects.requireNonNull(binDir, "binDir");
    this.environment = Map.copyOf(environment);
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (partition.isBlank() || user.isBlank()) {
      throw new IllegalArgumentException(
          "pilot verification needs a partition and a user, got partition '"
              + partition
              + "', user '"
              + user
              + "'");
    }
  }

  @Override
  public Optional<String> refusal(String jobId, String node) {
    if (!JOB.matcher(jobId).matches()) {
      return Optional.of("job id '" + jobId + "' is not a Slurm job id");
    }
    JsonNode jobs;
    try {
      jobs = squeue(List.of("--json", "--jobs=" + jobId));
    } catch (IOException e) {
      return Optional.of("cannot verify job " + jobId + " with Slurm: " + e.getMessage());
    }
    Optional<JobFacts> facts = Optional.empty();
    for (JsonNode j : jobs) {
      if (jobId.equals(j.path("job_id").asText())) {
        facts =
            Optional.of(
                new JobFacts(
                    state(j),
                    j.path("partition").asText(""),
                    j.path("user_name").asText(""),
                    j.path("nodes").asText("")));
      }
    }
    return refusal(facts, jobId, node, partition, user);
  }

  /** What Slurm says of a job. */
  public record JobFacts(String state, String partition, String user, String nodes) {}

  /**
   * The rule: {@code job} (empty when Slurm does not know it) must be RUNNING in {@code partition}
   * as {@code user} on exactly {@code node}; empty when it is, else why not.
   */
  public static Optional<String> refusal(
      Optional<JobFacts> job, String jobId, String node, String partition, String user) {
    if (job.isEmpty()) {
      return Optional.of("Slurm does not know job " + jobId);
    }
    JobFacts f = job.get();
    if (!f.state().equals("RUNNING")) {
      return Optional.of("job " + jobId + " is " + f.state() + ", not RUNNING");
    }
    if (!f.partition().equals(partition)) {
      return Optional.of(
          "job "
              + jobId
              + " runs in partition '"
              + f.partition()
              + "', not the harvest partition '"
              + partition
              + "'");
    }
    if (!f.user().equals(user)) {
      return Optional.of(
          "job "
              + jobId
              + " belongs to user '"
              + f.user()
              + "', not the pilot user '"
              + user
              + "'");
    }
    if (!f.nodes().equals(node)) {
      return Optional.of(
          "job "
              + jobId
              + " runs on '"
              + f.nodes()
              + "', not on node '"
              + node
              + "' the pilot names");
    }
    return Optional.empty();
  }

  @Override
  public Optional<JobStates> states(Collection<String> jobIds) {
    if (jobIds.isEmpty()) {
      return Optional.of(new JobStates(Set.of(), Set.of()));
    }
    JsonNode jobs;
    try {
      // every job of the pilot user: one call, and unknown ids are no error (squeue --jobs fails on
      // those)
      jobs = squeue(List.of("--json", "--user=" + user));
    } catch (IOException e) {
      return Optional.empty();
    }
    Set<String> ended = new HashSet<>(jobIds);
    Set<String> pending = new HashSet<>();
    for (JsonNode j : jobs) {
      String id = j.path("job_id").asText();
      if (!jobIds.contains(id)) {
        continue;
      }
      String state = state(j);
      if (WAITING.contains(state)) {
        ended.remove(id);
        pending.add(id);
      } else if (LIVE.contains(state)) {
        ended.remove(id);
      }
    }
    return Optional.of(new JobStates(ended, pending));
  }

  @Override
  public String description() {
    return "pilot jobs verified with squeue: RUNNING in partition "
        + partition
        + " as user "
        + user
        + " on the node the pilot names";
  }

  private static String state(JsonNode job) {
    JsonNode s = job.path("job_state");
    return s.isArray() ? (s.isEmpty() ? "" : s.get(0).asText("")) : s.asText("");
  }

  private JsonNode squeue(List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(binDir.map(d -> d.resolve("squeue").toString()).orElse("squeue"));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IOException(
            "`" + String.join(" ", command) + "` timed out after " + timeout.toMillis() + " ms");
      }
      String stdout = out.get(5, TimeUnit.SECONDS);
      if (process.exitValue() != 0) {
        throw new IOException(
            "`"
                + String.join(" ", command)
                + "` failed (exit code "
                + process.exitValue()
                + "): "
                + err.get(5, TimeUnit.SECONDS).strip().replaceAll("\\s*\\R\\s*", " | "));
      }
      JsonNode jobs = JSON.readTree(stdout).path("jobs");
      if (!jobs.isArray()) {
        throw new IOException("`" + String.join(" ", command) + "` printed no 'jobs' array");
      }
      return jobs;
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking Slurm", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(
          "cannot read the output of `" + String.join(" ", command) + "`: " + e, e);
    }
  }

  private static String read(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

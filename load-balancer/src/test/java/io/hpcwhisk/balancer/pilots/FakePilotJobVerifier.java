package io.hpcwhisk.balancer.pilots;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A cluster of jobs set by the test, judged by the same rule as {@link SlurmPilotJobVerifier}. */
final class FakePilotJobVerifier implements PilotJobVerifier {

  final Map<String, SlurmPilotJobVerifier.JobFacts> jobs = new ConcurrentHashMap<>();
  private final String partition;
  private final String user;

  FakePilotJobVerifier(String partition, String user) {
    this.partition = partition;
    this.user = user;
  }

  void job(String id, String state, String partition, String user, String node) {
    jobs.put(id, new SlurmPilotJobVerifier.JobFacts(state, partition, user, node));
  }

  @Override
  public Optional<String> refusal(String jobId, String node) {
    return SlurmPilotJobVerifier.refusal(
        Optional.ofNullable(jobs.get(jobId)), jobId, node, partition, user);
  }

  @Override
  public Optional<JobStates> states(Collection<String> jobIds) {
    Set<String> ended = new HashSet<>();
    Set<String> pending = new HashSet<>();
    for (String id : jobIds) {
      var f = jobs.get(id);
      if (f == null || !(f.state().equals("RUNNING") || f.state().equals("PENDING"))) {
        ended.add(id);
      } else if (f.state().equals("PENDING")) {
        pending.add(id);
      }
    }
    return Optional.of(new JobStates(ended, pending));
  }

  @Override
  public String description() {
    return "fake cluster";
  }
}

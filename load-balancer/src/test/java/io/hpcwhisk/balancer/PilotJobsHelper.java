package io.hpcwhisk.balancer;

import io.hpcwhisk.testkit.SlurmEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Submits real pilot jobs with the pilot engineer's {@code config/pilot.sbatch}, running the pilot
 * from this test JVM's class path (as the app jar would) with a job-scoped credential in the job's
 * environment.
 */
final class PilotJobsHelper {

  private PilotJobsHelper() {}

  static Path sbatchScript() {
    Path here = Path.of("").toAbsolutePath();
    Path script = here.resolve("../config/pilot.sbatch").normalize();
    return Files.exists(script) ? script : here.resolve("config/pilot.sbatch");
  }

  /** Submits a pilot job into the whisk partition; returns its job id. */
  static String submit(SlurmEnv slurm, String balancerUrl, String token, String... sbatchOptions)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("sbatch", "--parsable", "--export=ALL",
        "-o", slurm.dir().resolve("bal-pilot-%j.out").toString()));
    command.addAll(List.of(sbatchOptions));
    command.add(sbatchScript().toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.putAll(slurm.env());
    env.put("HPC_WHISK_BALANCER_URL", balancerUrl);
    env.put("HPC_WHISK_PILOT_TOKEN", token);
    env.put("HPC_WHISK_PILOT_SANDBOX", "off");
    env.put("HPC_WHISK_GRACE", slurm.graceSeconds() + "s");
    env.put("HPC_WHISK_PILOT_COMMAND", javaCommand());
    // job ids restart at 1 in every test cluster: keep each pilot's runtime files apart from older runs'
    env.put("HPC_WHISK_PILOT_WORK_DIR", Files.createTempDirectory(slurm.dir(), "pilot-work").toString());
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("sbatch failed: " + out);
    }
    return out.split(";")[0];
  }

  static String javaCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp " + System.getProperty("java.class.path")
        + " io.hpcwhisk.pilot.PilotLauncher";
  }

  static String output(SlurmEnv slurm, String jobId) {
    try {
      return Files.readString(slurm.dir().resolve("bal-pilot-" + jobId + ".out"));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}

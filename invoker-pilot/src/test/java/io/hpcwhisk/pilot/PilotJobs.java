package io.hpcwhisk.pilot;

import io.hpcwhisk.testkit.SlurmEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Submits real pilot jobs (config/pilot.sbatch) to the local Slurm cluster. */
final class PilotJobs {

  private PilotJobs() {}

  static Path sbatchScript() {
    Path here = Path.of("").toAbsolutePath();
    Path script = here.resolve("../config/pilot.sbatch").normalize();
    return script.toFile().exists() ? script : here.resolve("config/pilot.sbatch");
  }

  /** Submits a pilot job; returns its id. {@code extraEnv} adds to the job's environment. */
  static String submit(SlurmEnv slurm, String balancerUrl, String token, Map<String, String> extraEnv,
      String... sbatchOptions) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("sbatch", "--parsable", "--export=ALL",
        "-o", slurm.dir().resolve("pilot-%j.out").toString()));
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
    env.putAll(extraEnv);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("sbatch failed: " + out);
    }
    return out.split(";")[0];
  }

  /** Runs the pilot from this test JVM's class path, as the app jar would. */
  static String javaCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp " + System.getProperty("java.class.path")
        + " " + PilotLauncher.class.getName();
  }

  static String output(SlurmEnv slurm, String jobId) {
    try {
      return java.nio.file.Files.readString(slurm.dir().resolve("pilot-" + jobId + ".out"));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}

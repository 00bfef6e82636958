package io.hpcwhisk.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Submits real pilot jobs to the local Slurm cluster with the shipped {@code config/pilot.sbatch}, the
 * pilot running from the calling test JVM's class path (as the app jar would) with a credential in the
 * job's environment. Each job's output goes to {@code pilot-<jobid>.out} in the cluster directory.
 */
public final class PilotJobs {

  private static final String LAUNCHER = "io.hpcwhisk.pilot.PilotLauncher";

  private PilotJobs() {}

  /** The shipped batch script, from a module directory or the project root. */
  public static Path sbatchScript() {
    Path here = Path.of("").toAbsolutePath();
    Path script = here.resolve("../config/pilot.sbatch").normalize();
    return Files.exists(script) ? script : here.resolve("config/pilot.sbatch");
  }

  /**
   * Submits a pilot job and answers its id. {@code extraEnv} adds to (or overrides) the job's
   * environment; {@code sbatchOptions} go before the script (for example {@code "-p", "whisk"}).
   */
  public static String submit(SlurmEnv slurm, String balancerUrl, String token, Map<String, String> extraEnv,
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
    // Test pilots run without bubblewrap (faster cold starts), so single-tenant: every pilot test uses guest.
    // A test that wants the sandbox passes HPC_WHISK_PILOT_SANDBOX=bwrap (and a blank namespace) in extraEnv.
    env.put("HPC_WHISK_PILOT_SANDBOX", "off");
    env.put("HPC_WHISK_PILOT_UNSANDBOXED_NAMESPACE", "guest");
    env.put("HPC_WHISK_GRACE", slurm.graceSeconds() + "s");
    env.put("HPC_WHISK_PILOT_COMMAND", javaCommand());
    // job ids restart at 1 in every test cluster: keep each pilot's runtime files apart from older runs'
    env.put("HPC_WHISK_PILOT_WORK_DIR", Files.createTempDirectory(slurm.dir(), "pilot-work").toString());
    env.putAll(extraEnv);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("sbatch " + String.join(" ", command) + " failed: " + out);
    }
    return out.split(";")[0];
  }

  /** The command that runs the pilot from this JVM's class path, as {@code HPC_WHISK_PILOT_COMMAND}. */
  public static String javaCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp " + System.getProperty("java.class.path")
        + " " + LAUNCHER;
  }

  /** What the job wrote so far, or a note saying why there is nothing (for assertion messages). */
  public static String output(SlurmEnv slurm, String jobId) {
    try {
      return Files.readString(slurm.dir().resolve("pilot-" + jobId + ".out"));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}

package io.hpcwhisk.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Submits real pilot jobs to the local Slurm cluster with the shipped {@code config/pilot.sbatch},
 * the pilot running from the calling test JVM's class path (as the app jar would). The credential
 * goes the way the server hands it over: in a file of its own (mode 0600, in the cluster
 * directory's {@code pilot-tokens}, mode 0700), whose path the job gets as {@code
 * HPC_WHISK_PILOT_TOKEN_FILE}; the pilot deletes it after reading. Each job's output goes to {@code
 * pilot-<jobid>.out} in the cluster directory.
 */
public final class PilotJobs {

  private static final String LAUNCHER = "io.hpcwhisk.pilot.PilotMain";

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
  public static String submit(
      SlurmEnv slurm,
      String balancerUrl,
      String token,
      Map<String, String> extraEnv,
      String... sbatchOptions)
      throws IOException, InterruptedException {
    Path file = tokenFile(slurm);
    Files.writeString(file, token);
    return submitWithTokenFile(slurm, balancerUrl, file, extraEnv, sbatchOptions);
  }

  /**
   * Submits a pilot job held, writes {@code tokenForJob.apply(jobId)} to its token file, then
   * releases it: how a hand-submitted pilot gets a job-scoped credential ({@code hpc-whisk
   * pilot-token --job ID}).
   */
  public static String submitHeld(
      SlurmEnv slurm,
      String balancerUrl,
      Function<String, String> tokenForJob,
      Map<String, String> extraEnv,
      String... sbatchOptions)
      throws IOException, InterruptedException {
    Path file = tokenFile(slurm);
    List<String> options = new ArrayList<>(List.of("--hold"));
    options.addAll(List.of(sbatchOptions));
    String job =
        submitWithTokenFile(slurm, balancerUrl, file, extraEnv, options.toArray(String[]::new));
    Files.writeString(file, tokenForJob.apply(job));
    run(slurm, "scontrol", "release", job);
    return job;
  }

  /**
   * A new, empty token file (mode 0600) in the cluster directory's {@code pilot-tokens} (mode
   * 0700).
   */
  public static Path tokenFile(SlurmEnv slurm) throws IOException {
    Path dir = slurm.dir().resolve("pilot-tokens");
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return Files.createTempFile(
        dir,
        "pilot-",
        ".token",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
  }

  /**
   * Submits a pilot job whose credential is in {@code tokenFile} (already written, or written
   * before it starts).
   */
  public static String submitWithTokenFile(
      SlurmEnv slurm,
      String balancerUrl,
      Path tokenFile,
      Map<String, String> extraEnv,
      String... sbatchOptions)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                slurm.client("sbatch"),
                "--parsable",
                "--export=ALL",
                "-o",
                slurm.dir().resolve("pilot-%j.out").toString()));
    command.addAll(List.of(sbatchOptions));
    command.add(sbatchScript().toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.putAll(slurm.env());
    env.put("HPC_WHISK_BALANCER_URL", balancerUrl);
    env.put("HPC_WHISK_PILOT_TOKEN_FILE", tokenFile.toString());
    // Test pilots run without bubblewrap (faster cold starts), so single-tenant: every pilot test
    // uses guest.
    // A test that wants the sandbox passes HPC_WHISK_PILOT_SANDBOX=bwrap (and a blank namespace) in
    // extraEnv.
    env.put("HPC_WHISK_PILOT_SANDBOX", "off");
    env.put("HPC_WHISK_PILOT_UNSANDBOXED_NAMESPACE", "guest");
    env.put("HPC_WHISK_GRACE", slurm.graceSeconds() + "s");
    env.put("HPC_WHISK_PILOT_COMMAND", javaCommand(slurm));
    // job ids restart at 1 in every test cluster: keep each pilot's runtime files apart from older
    // runs'
    env.put(
        "HPC_WHISK_PILOT_WORK_DIR",
        Files.createTempDirectory(slurm.dir(), "pilot-work").toString());
    env.putAll(extraEnv);
    Process process = builder.start();
    String out =
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("sbatch " + String.join(" ", command) + " failed: " + out);
    }
    return out.split(";")[0];
  }

  private static void run(SlurmEnv slurm, String... command)
      throws IOException, InterruptedException {
    List<String> resolved = new ArrayList<>(List.of(command));
    resolved.set(0, slurm.client(command[0]));
    ProcessBuilder builder = new ProcessBuilder(resolved).redirectErrorStream(true);
    builder.environment().putAll(slurm.env());
    Process process = builder.start();
    String out =
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
  }

  /**
   * The command that runs the pilot from this JVM's class path on the cluster's Java (Java 21 in
   * the 24.11 root), as {@code HPC_WHISK_PILOT_COMMAND}.
   */
  public static String javaCommand(SlurmEnv slurm) {
    String java = slurm.pilotJavaHome().resolve("bin/java").toString();
    return java
        + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "
        + System.getProperty("java.class.path")
        + " "
        + LAUNCHER;
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

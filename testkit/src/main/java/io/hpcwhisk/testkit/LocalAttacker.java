package io.hpcwhisk.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary, unprivileged local account for the security tests: the attacker of a shared login
 * node. {@link #ensure()} creates it with {@code useradd} when it does not exist (needs root, as CI
 * and the Slurm tests run); {@link #run} runs a command as that account with {@code setpriv} (its
 * uid, gid and supplementary groups, a clean environment, no capabilities), so what the command can
 * read is what any other user of the machine could.
 */
public final class LocalAttacker {

  /** The account's name; shared by every test run on the machine (created once, never removed). */
  public static final String NAME = "hpcw-attacker";

  private final int uid;
  private final int gid;

  private LocalAttacker(int uid, int gid) {
    this.uid = uid;
    this.gid = gid;
  }

  /** What a command run as the attacker did. */
  public record Result(int exitCode, String stdout, String stderr) {
    /** Standard output and error together, for assertions that a secret appears in neither. */
    public String all() {
      return stdout + "\n" + stderr;
    }
  }

  /**
   * The attacker's account, created when missing. Fails with the reason when this process is not
   * root.
   */
  public static LocalAttacker ensure() throws IOException, InterruptedException {
    Result id = exec(Duration.ofSeconds(10), List.of("id", "-u", NAME));
    if (id.exitCode() != 0) {
      if (!"0".equals(exec(Duration.ofSeconds(10), List.of("id", "-u")).stdout().strip())) {
        throw new IllegalStateException(
            "the security tests create the local account "
                + NAME
                + " with useradd and need root; run them as root (CI does)");
      }
      Result made =
          exec(
              Duration.ofSeconds(30),
              List.of(
                  "useradd",
                  "--create-home",
                  "--shell",
                  "/bin/bash",
                  "--comment",
                  "HPC-Whisk security tests, an unprivileged attacker",
                  NAME));
      if (made.exitCode() != 0
          && exec(Duration.ofSeconds(10), List.of("id", "-u", NAME)).exitCode() != 0) {
        throw new IllegalStateException("useradd " + NAME + " failed: " + made.all().strip());
      }
    }
    int uid =
        Integer.parseInt(exec(Duration.ofSeconds(10), List.of("id", "-u", NAME)).stdout().strip());
    int gid =
        Integer.parseInt(exec(Duration.ofSeconds(10), List.of("id", "-g", NAME)).stdout().strip());
    if (uid == 0) {
      throw new IllegalStateException(
          "account " + NAME + " has uid 0: it must be an ordinary account");
    }
    return new LocalAttacker(uid, gid);
  }

  public int uid() {
    return uid;
  }

  /** The attacker's home directory (a place it can write to). */
  public Path home() {
    return Path.of("/home", NAME);
  }

  /**
   * Runs {@code command} as the attacker with a clean environment ({@code PATH}, {@code HOME},
   * {@code USER}) and waits at most {@code timeout} for it (then it is killed and the result says
   * exit code -1).
   */
  public Result run(Duration timeout, String... command) throws IOException, InterruptedException {
    List<String> full =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=" + uid,
                "--regid=" + gid,
                "--init-groups",
                "--inh-caps=-all",
                "--reset-env",
                "--"));
    full.addAll(List.of(command));
    return exec(timeout, full);
  }

  /** Runs a shell script as the attacker (see {@link #run}). */
  public Result shell(Duration timeout, String script) throws IOException, InterruptedException {
    return run(timeout, "/bin/bash", "-c", script);
  }

  /** Whether the attacker can open {@code file} for reading. */
  public boolean canRead(Path file) throws IOException, InterruptedException {
    return run(
                Duration.ofSeconds(10),
                "/bin/sh",
                "-c",
                "exec cat -- \"$1\" >/dev/null 2>&1",
                "sh",
                file.toString())
            .exitCode()
        == 0;
  }

  private static Result exec(Duration timeout, List<String> command)
      throws IOException, InterruptedException {
    Path err = Files.createTempFile("attacker", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
      p.getOutputStream().close();
      CompletableFuture<byte[]> out =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return p.getInputStream().readAllBytes();
                } catch (IOException e) {
                  return new byte[0];
                }
              });
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor();
        return new Result(
            -1, new String(out.join(), StandardCharsets.UTF_8), Files.readString(err));
      }
      return new Result(
          p.exitValue(), new String(out.join(), StandardCharsets.UTF_8), Files.readString(err));
    } finally {
      Files.deleteIfExists(err);
    }
  }
}

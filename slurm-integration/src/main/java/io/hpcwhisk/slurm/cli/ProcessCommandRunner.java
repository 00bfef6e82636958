package io.hpcwhisk.slurm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands as child processes with extra environment variables (for example {@code
 * SLURM_CONF}).
 */
public final class ProcessCommandRunner implements CommandRunner {

  private final Map<String, String> environment;

  public ProcessCommandRunner(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public Result run(List<String> command, String stdin, Duration timeout) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw SlurmCommandException.notRun(command, "could not start: " + e.getMessage(), e);
    }
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The command may exit without reading its input; its exit code tells.
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw SlurmCommandException.notRun(
            command, "timed out after " + timeout.toMillis() + " ms", null);
      }
      return new Result(
          process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw SlurmCommandException.notRun(command, "interrupted", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw SlurmCommandException.notRun(command, "output could not be read: " + e, e);
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

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
import java.util.concurrent.TimeoutException;

/**
 * Runs commands as child processes with extra environment variables (for example {@code
 * SLURM_CONF}). A command's output is read up to a bound ({@link #DEFAULT_MAX_OUTPUT_BYTES} unless
 * told): a command that prints more is stopped and reported, so no output (a huge queue, garbage)
 * makes the controller allocate without bound.
 */
public final class ProcessCommandRunner implements CommandRunner {

  /** 256 MiB: far more than {@code squeue --json} prints for 10,000 jobs (about 40 MB on 22.05). */
  public static final int DEFAULT_MAX_OUTPUT_BYTES = 256 << 20;

  private static final int MAX_STDERR_BYTES = 64 << 10;

  private final Map<String, String> environment;
  private final int maxOutputBytes;

  public ProcessCommandRunner(Map<String, String> environment) {
    this(environment, DEFAULT_MAX_OUTPUT_BYTES);
  }

  /**
   * @param maxOutputBytes the most bytes read from a command's standard output
   */
  public ProcessCommandRunner(Map<String, String> environment, int maxOutputBytes) {
    this.environment = Map.copyOf(environment);
    if (maxOutputBytes < 1) {
      throw new IllegalArgumentException("maxOutputBytes must be positive, got " + maxOutputBytes);
    }
    this.maxOutputBytes = maxOutputBytes;
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
        CompletableFuture.supplyAsync(() -> read(process.getInputStream(), maxOutputBytes, false));
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> read(process.getErrorStream(), MAX_STDERR_BYTES, true));
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The command may exit without reading its input; its exit code tells.
    }
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!process.waitFor(50, TimeUnit.MILLISECONDS)) {
        if (out.isDone() && out.isCompletedExceptionally()) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
          break; // too much output: reported below
        }
        if (System.nanoTime() - deadline > 0) {
          process.destroyForcibly();
          throw SlurmCommandException.notRun(
              command, "timed out after " + timeout.toMillis() + " ms", null);
        }
      }
      // the output first: a read stopped for too much output throws before exitValue() is asked
      // of a process that may still be dying (IllegalThreadStateException under load)
      String stdout = out.get(5, TimeUnit.SECONDS);
      String stderr = err.get(5, TimeUnit.SECONDS);
      return new Result(process.exitValue(), stdout, stderr);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw SlurmCommandException.notRun(command, "interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TooMuchOutput tooMuch) {
        throw SlurmCommandException.notRun(command, tooMuch.getMessage(), null);
      }
      throw SlurmCommandException.notRun(command, "output could not be read: " + e, e);
    } catch (TimeoutException e) {
      throw SlurmCommandException.notRun(command, "output could not be read: " + e, e);
    }
  }

  /**
   * Reads at most {@code max} bytes; more fail the read, or are dropped with {@code cutTheRest}.
   */
  private static String read(InputStream stream, int max, boolean cutTheRest) {
    try (stream) {
      byte[] bytes = stream.readNBytes(max);
      if (stream.read() != -1) {
        if (cutTheRest) {
          stream.transferTo(OutputStream.nullOutputStream());
          return new String(bytes, StandardCharsets.UTF_8) + "...(cut)";
        }
        throw new TooMuchOutput(
            "printed more than " + max + " bytes (the most read from a Slurm command)");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final class TooMuchOutput extends RuntimeException {
    TooMuchOutput(String message) {
      super(message, null, false, false);
    }
  }
}

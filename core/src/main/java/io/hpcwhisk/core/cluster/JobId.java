package io.hpcwhisk.core.cluster;

/** A Slurm job id (or the simulator's equivalent). */
public record JobId(long value) implements Comparable<JobId> {

  public JobId {
    if (value <= 0) {
      throw new IllegalArgumentException("job id must be positive, got " + value);
    }
  }

  /** Parses the id as {@code sbatch --parsable} prints it ({@code 123} or {@code 123;cluster}). */
  public static JobId parse(String text) {
    String trimmed = text.strip();
    int semicolon = trimmed.indexOf(';');
    String digits = semicolon >= 0 ? trimmed.substring(0, semicolon) : trimmed;
    try {
      return new JobId(Long.parseLong(digits));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a job id: '" + text + "'", e);
    }
  }

  @Override
  public int compareTo(JobId other) {
    return Long.compare(value, other.value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}

package io.hpcwhisk.balancer.pilots;

import io.hpcwhisk.balancer.store.PilotBinding;
import io.hpcwhisk.balancer.store.PilotBindingStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's side of submission credentials: hands each pilot job its token in a file only
 * the server's account can read ({@link #issue()}) and binds the token to the job once {@code
 * sbatch} has answered ({@link #submitted}); the rules (file modes, expiry, the 30 s {@link
 * #sweep()}) are stated in docs/architecture.md, "Credentials", and docs/admin-guide.md §7, "How a
 * pilot job gets its credential".
 */
public final class PilotSubmissions {

  private static final Logger LOG = LoggerFactory.getLogger(PilotSubmissions.class);

  /**
   * How long past its time limit a job's credential stays valid (Slurm's kill wait, a slow start).
   */
  public static final Duration GRACE = Duration.ofMinutes(5);

  /**
   * A token file no binding names is deleted after this long (a crash between issue and binding).
   */
  public static final Duration STRAY_FILE_AGE = Duration.ofMinutes(10);

  private static final Set<PosixFilePermission> OTHERS =
      Set.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private final PilotCredentials credentials;
  private final PilotBindingStore bindings;
  private final PilotJobVerifier verifier;
  private final Path tokenDir;
  private final InstantSource clock;
  private final SecureRandom random = new SecureRandom();

  /** A token handed to one submission: its scope (no secret) and the file that holds it. */
  public record Issued(String scope, Path file) {}

  public PilotSubmissions(
      PilotCredentials credentials,
      PilotBindingStore bindings,
      PilotJobVerifier verifier,
      Path tokenDir,
      InstantSource clock) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.bindings = Objects.requireNonNull(bindings, "bindings");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.tokenDir = tokenDir.toAbsolutePath().normalize();
    this.clock = Objects.requireNonNull(clock, "clock");
    prepareDirectory(this.tokenDir);
  }

  /**
   * Creates {@code dir} with mode 0700, or checks that an existing one is this account's and closed
   * to others.
   */
  static void prepareDirectory(Path dir) {
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dir.getParent());
        Files.createDirectory(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalStateException(
            "pilot token directory " + dir + " is not a directory (or is a symbolic link)");
      }
      String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
      String me = System.getProperty("user.name");
      if (!owner.equals(me)) {
        throw new IllegalStateException(
            "pilot token directory "
                + dir
                + " belongs to "
                + owner
                + ", not to the"
                + " server's account "
                + me);
      }
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
      if (mode.stream().anyMatch(OTHERS::contains)) {
        throw new IllegalStateException(
            "pilot token directory "
                + dir
                + " has mode "
                + PosixFilePermissions.toString(mode)
                + ", expected rwx------ (chmod 700 "
                + dir
                + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the pilot token directory " + dir, e);
    }
  }

  public Path tokenDir() {
    return tokenDir;
  }

  /** A fresh submission token in a new 0600 file. */
  public Issued issue() {
    String token = credentials.forSubmission();
    byte[] name = new byte[16];
    random.nextBytes(name);
    Path file = tokenDir.resolve("pilot-" + HexFormat.of().formatHex(name) + ".token");
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(
          file,
          (token + "\n").getBytes(StandardCharsets.US_ASCII),
          StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      delete(file);
      throw new UncheckedIOException("cannot write a pilot token file in " + tokenDir, e);
    }
    return new Issued(PilotCredentials.scopeOf(token), file);
  }

  /**
   * Binds the token to the job {@code sbatch} answered; valid for its time limit plus {@link
   * #GRACE}.
   */
  public void submitted(Issued issued, String jobId, Duration timeLimit) {
    Instant now = clock.instant();
    bindings.put(
        new PilotBinding(
            issued.scope(),
            jobId,
            now,
            timeLimit,
            now.plus(timeLimit).plus(GRACE),
            Optional.of(issued.file())));
  }

  /** The submission failed: the token file goes, nothing is bound. */
  public void failed(Issued issued) {
    delete(issued.file());
  }

  /** What one sweep did. */
  public record Swept(int revoked, int extended, int strayFiles) {}

  /**
   * Revokes the bindings of ended and expired jobs, keeps pending ones alive, deletes unused token
   * files.
   *
   * <p>It asks the {@link PilotJobVerifier} which bound jobs Slurm reports ended or unknown and
   * revokes their bindings (a revoked token admits nobody, also after a restart), moves the expiry
   * of jobs still pending (their time limit starts when they start; only while it can ask Slurm),
   * revokes bindings past their expiry, and deletes their token files and stray files older than
   * {@link #STRAY_FILE_AGE}.
   */
  public Swept sweep() {
    Instant now = clock.instant();
    List<PilotBinding> all = bindings.all();
    Set<String> jobs = new HashSet<>();
    all.forEach(b -> jobs.add(b.jobId()));
    Optional<PilotJobVerifier.JobStates> states = verifier.states(jobs);
    int revoked = 0;
    int extended = 0;
    Set<Path> named = new HashSet<>();
    for (PilotBinding b : all) {
      boolean gone =
          states.isPresent()
              && states.get().ended().contains(b.jobId())
              && b.boundAt()
                  .isBefore(
                      now.minusSeconds(5)); // squeue may not list a job submitted this instant
      if (!gone && states.isPresent() && states.get().pending().contains(b.jobId())) {
        Instant until = now.plus(b.timeLimit()).plus(GRACE);
        if (until.isAfter(b.notAfter())) {
          bindings.put(b.withNotAfter(until));
          extended++;
        }
        b.tokenFile().ifPresent(named::add);
        continue;
      }
      if (gone || now.isAfter(b.notAfter())) {
        bindings.remove(b.scope());
        b.tokenFile().ifPresent(PilotSubmissions::delete);
        revoked++;
        LOG.info(
            "revoked the credential {} of pilot job {}: {}",
            b.scope(),
            b.jobId(),
            gone ? "Slurm reports the job ended" : "expired at " + b.notAfter());
      } else {
        b.tokenFile().ifPresent(named::add);
      }
    }
    int stray = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(tokenDir, "pilot-*.token")) {
      for (Path f : files) {
        if (!named.contains(f)
            && Files.getLastModifiedTime(f).toInstant().isBefore(now.minus(STRAY_FILE_AGE))) {
          delete(f);
          stray++;
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list the pilot token directory {}: {}", tokenDir, e.toString());
    }
    return new Swept(revoked, extended, stray);
  }

  /** The bindings in force (for tests and diagnostics). */
  public List<PilotBinding> bindings() {
    return new ArrayList<>(bindings.all());
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("cannot delete pilot token file {}: {}", file, e.toString());
    }
  }
}

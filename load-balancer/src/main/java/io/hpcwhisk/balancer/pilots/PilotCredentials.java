package io.hpcwhisk.balancer.pilots;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks the credentials of pilots: {@code SCOPE.MAC}, where the MAC is HMAC-SHA256 of
 * the scope under a server secret kept in {@code DATA_DIR/pilot-secret} (created rw------- on first
 * use, 32 random bytes). Two scopes:
 *
 * <ul>
 *   <li>{@code sub-<nonce>}: issued by the server's controller just before {@code sbatch}; valid
 *       only once {@link PilotAdmission} finds it bound to the job {@code sbatch --parsable}
 *       answered (the binding is kept in the store and ends with the job);
 *   <li>{@code job-<jobId>@<epochSeconds>}: for a pilot submitted by hand ({@code hpc-whisk
 *       pilot-token --job ID}); valid for that job id only, until the time it names.
 * </ul>
 *
 * <p>This class checks only that a token is genuine and what it claims; whether it may register now
 * is {@link PilotAdmission}'s decision. Rotating the secret (delete the file while no pilot runs,
 * restart the server) makes every issued token invalid.
 */
public final class PilotCredentials {

  private static final Pattern JOB = Pattern.compile("[0-9]{1,20}(_[0-9]+)?");
  private static final Pattern JOB_SCOPE =
      Pattern.compile("job-([0-9]{1,20}(?:_[0-9]+)?)@([0-9]{1,12})");
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{8,64}");
  private final byte[] secret;
  private final SecureRandom random = new SecureRandom();

  public PilotCredentials(byte[] secret) {
    if (secret.length < 16) {
      throw new IllegalArgumentException(
          "pilot secret must have at least 16 bytes, got " + secret.length);
    }
    this.secret = secret.clone();
  }

  /** Reads (or creates, rw-------) {@code dataDir/pilot-secret}. */
  public static PilotCredentials inDataDir(Path dataDir) {
    Path file = dataDir.resolve("pilot-secret");
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(dataDir);
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        Path tmp =
            Files.createTempFile(
                dataDir,
                "pilot-secret",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, HexFormat.of().formatHex(fresh));
        try {
          Files.move(tmp, file);
        } catch (FileAlreadyExistsException e) {
          Files.deleteIfExists(tmp); // another process made it first: use theirs
        }
      }
      return new PilotCredentials(HexFormat.of().parseHex(Files.readString(file).strip()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the pilot secret " + file, e);
    }
  }

  /**
   * A token for the pilot of Slurm job {@code jobId}, valid until {@code notAfter} (whole seconds).
   */
  public String forJob(String jobId, Instant notAfter) {
    if (!JOB.matcher(jobId).matches()) {
      throw new IllegalArgumentException("not a Slurm job id: '" + jobId + "'");
    }
    return sign("job-" + jobId + "@" + notAfter.getEpochSecond());
  }

  /**
   * A submission token: the controller binds it to the job id {@code sbatch} answers (see {@link
   * PilotSubmissions}).
   */
  public String forSubmission() {
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    return sign("sub-" + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce));
  }

  /**
   * The scope of a token (the part before the MAC: {@code sub-<nonce>}), without checking it; never
   * secret.
   */
  public static String scopeOf(String token) {
    int dot = token.lastIndexOf('.');
    return dot <= 0 ? token : token.substring(0, dot);
  }

  /** What a genuine token claims. */
  public sealed interface Grant {
    /**
     * The scope, the part of the token before the MAC; it is no secret (the MAC is) and may be
     * logged.
     */
    String scope();
  }

  /** A submission token: valid only for the job the store binds its scope to. */
  public record Submission(String scope) implements Grant {}

  /** A hand-issued token for one job id until a time. */
  public record Job(String scope, String jobId, Instant notAfter) implements Grant {}

  /**
   * The grant of a genuine token; empty for a forged, malformed or unknown one (the caller logs
   * why).
   */
  public Optional<Grant> verify(String token) {
    if (token == null) {
      return Optional.empty();
    }
    int dot = token.lastIndexOf('.');
    if (dot <= 0) {
      return Optional.empty();
    }
    String scope = token.substring(0, dot);
    byte[] expected = sign(scope).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    Matcher job = JOB_SCOPE.matcher(scope);
    if (job.matches()) {
      return Optional.of(
          new Job(scope, job.group(1), Instant.ofEpochSecond(Long.parseLong(job.group(2)))));
    }
    if (scope.startsWith("sub-") && NONCE.matcher(scope.substring(4)).matches()) {
      return Optional.of(new Submission(scope));
    }
    return Optional.empty();
  }

  private String sign(String scope) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] tag = mac.doFinal(scope.getBytes(StandardCharsets.UTF_8));
      return scope + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}

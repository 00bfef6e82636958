package io.hpcwhisk.balancer.pilots;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks the job-scoped credentials of pilots: {@code SCOPE.MAC}, where the MAC is
 * HMAC-SHA256 of the scope under a server secret kept in {@code DATA_DIR/pilot-secret} (created
 * rw------- on first use, 32 random bytes). Two scopes:
 *
 * <ul>
 *   <li>{@code job-<jobId>}: valid only for a pilot that registers with that Slurm job id — for a
 *       controller that submits with {@code --hold}, learns the job id and then writes the token;
 *   <li>{@code sub-<nonce>}: issued before {@code sbatch} (the job id is not known yet) and passed in
 *       the job's environment; the first registration binds it to its job id and a pilot of any other
 *       job presenting it later is refused (the dispatcher keeps the binding).
 * </ul>
 *
 * <p>Known caveats: a token is not revoked when its job ends (the secret can be rotated by deleting
 * the file while no pilot runs); the binding of submission tokens lives in memory, so after a restart
 * the first pilot to present one binds it again.
 */
public final class PilotCredentials {

  private static final Pattern JOB = Pattern.compile("[0-9]{1,20}(_[0-9]+)?");
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{8,64}");
  private final byte[] secret;
  private final SecureRandom random = new SecureRandom();

  public PilotCredentials(byte[] secret) {
    if (secret.length < 16) {
      throw new IllegalArgumentException("pilot secret must have at least 16 bytes, got " + secret.length);
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
        Path tmp = Files.createTempFile(dataDir, "pilot-secret", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, HexFormat.of().formatHex(fresh));
        try {
          Files.move(tmp, file);
        } catch (java.nio.file.FileAlreadyExistsException e) {
          Files.deleteIfExists(tmp); // another process made it first: use theirs
        }
      }
      return new PilotCredentials(HexFormat.of().parseHex(Files.readString(file).strip()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the pilot secret " + file, e);
    }
  }

  /** A token for the pilot of Slurm job {@code jobId}. */
  public String forJob(String jobId) {
    if (!JOB.matcher(jobId).matches()) {
      throw new IllegalArgumentException("not a Slurm job id: '" + jobId + "'");
    }
    return sign("job-" + jobId);
  }

  /** A token to put into a job's environment before it is submitted; bound to the first job that uses it. */
  public String forSubmission() {
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    return sign("sub-" + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce));
  }

  /** What a valid token allows: one job id, or one submission (then bound to a job on first use). */
  public record Grant(String scope, Optional<String> jobId) {}

  /** Checks a token for a pilot that says it runs in {@code jobId}; empty with the reason logged by the caller. */
  public Optional<Grant> verify(String token, String jobId) {
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
    if (scope.startsWith("job-")) {
      String job = scope.substring(4);
      return job.equals(jobId) ? Optional.of(new Grant(scope, Optional.of(job))) : Optional.empty();
    }
    if (scope.startsWith("sub-") && NONCE.matcher(scope.substring(4)).matches()) {
      return Optional.of(new Grant(scope, Optional.empty()));
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

package io.hpcwhisk.balancer.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes PEM certificates and private keys. Keys are parsed with Bouncy Castle's {@link
 * PEMParser} (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE
 * KEY}; encrypted keys are refused with a message saying so). Error messages name the file and what
 * was expected, never the key's bytes.
 */
public final class PemFiles {

  private static final Set<PosixFilePermission> OTHERS =
      Set.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private PemFiles() {}

  /** Every certificate in {@code file} (PEM), in order; at least one. */
  public static List<X509Certificate> certificates(String key, Path file) {
    byte[] bytes = read(key, file);
    try {
      List<X509Certificate> certs = new ArrayList<>();
      for (var c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes))) {
        certs.add((X509Certificate) c);
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(
            key
                + " "
                + file
                + " holds no certificate; expected PEM"
                + " ('-----BEGIN CERTIFICATE-----')");
      }
      return List.copyOf(certs);
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          key
              + " "
              + file
              + " is not a PEM certificate ('-----BEGIN CERTIFICATE-----'): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The private key in {@code file}. The file must belong to this process's account and be neither
   * readable nor writable by group or others (mode 0600 or 0400).
   */
  public static PrivateKey privateKey(String key, Path file) {
    requirePrivate(key, file);
    String text = new String(read(key, file), StandardCharsets.US_ASCII);
    Object object;
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      object = parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          key + " " + file + " is not a readable PEM private key", e);
    }
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          key + " " + file + ": the private key cannot be used: " + e.getMessage(), e);
    }
    if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
      throw new IllegalArgumentException(
          key
              + " "
              + file
              + " is an encrypted private key; expected an unencrypted"
              + " one (protected by its file mode 0600 instead)");
    }
    throw new IllegalArgumentException(
        key
            + " "
            + file
            + " holds no private key; expected PEM ('-----BEGIN PRIVATE"
            + " KEY-----', '-----BEGIN RSA PRIVATE KEY-----' or '-----BEGIN EC PRIVATE KEY-----')"
            + (object == null ? "" : ", found " + object.getClass().getSimpleName()));
  }

  /** Refuses a key file that another account could read or replace. */
  public static void requirePrivate(String key, Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(
            key + " " + file + " does not exist or is not a regular file");
      }
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      Set<PosixFilePermission> open = new HashSet<>(perms);
      open.retainAll(OTHERS);
      if (!open.isEmpty()) {
        throw new IllegalArgumentException(
            key
                + " "
                + file
                + " is accessible to other accounts (mode "
                + PosixFilePermissions.toString(perms)
                + "); the server refuses a private key others can read:"
                + " chmod 600 "
                + file);
      }
      String owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
      String me = System.getProperty("user.name");
      if (!owner.equals(me)) {
        throw new IllegalArgumentException(
            key
                + " "
                + file
                + " belongs to "
                + owner
                + ", not to "
                + me
                + " (the account of the server); chown it");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          key + " " + file + ": cannot check its mode: " + e.getMessage(), e);
    }
  }

  /**
   * Whether {@code key} is the private half of the key in {@code certificate} (a signature test).
   */
  public static boolean matches(PrivateKey key, X509Certificate certificate) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC", "ECDSA" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return false;
    }
    try {
      byte[] probe = "hpc-whisk tls key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * An in-memory PKCS#12 key store holding {@code key} with its chain under the alias {@code
   * server}.
   */
  public static KeyStore keyStore(PrivateKey key, List<X509Certificate> chain, char[] password) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, password, chain.toArray(X509Certificate[]::new));
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the TLS key store: " + e.getMessage(), e);
    }
  }

  /** A key store trusting every certificate in {@code caFile} (PEM). */
  public static KeyStore trustStore(String key, Path caFile) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (X509Certificate c : certificates(key, caFile)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(
          "cannot build a trust store from " + caFile + ": " + e.getMessage(), e);
    }
  }

  /** PEM text of certificates. */
  public static String pem(List<X509Certificate> certificates) {
    StringBuilder text = new StringBuilder();
    try {
      for (X509Certificate c : certificates) {
        text.append(block("CERTIFICATE", c.getEncoded()));
      }
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
    return text.toString();
  }

  /** PEM text of a private key (PKCS#8). */
  public static String pem(PrivateKey key) {
    return block("PRIVATE KEY", key.getEncoded());
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /**
   * Writes {@code text} to {@code file} with {@code mode} (e.g. {@code rw-------}) from its first
   * byte: a new file in the same directory, moved over the old one, so no reader ever sees a
   * half-written or wider-open file.
   */
  public static void write(Path file, String text, String mode) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    Files.deleteIfExists(tmp);
    try (var channel =
        Files.newByteChannel(
            tmp,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)))) {
      channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
    }
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static byte[] read(String key, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(key + " " + file + " does not exist", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          key + " " + file + " cannot be read: " + e.getMessage(), e);
    }
  }
}

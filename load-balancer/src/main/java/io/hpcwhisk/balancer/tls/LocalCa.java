package io.hpcwhisk.balancer.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority kept in one directory (mode 0700): {@code ca.pem} (its certificate,
 * what clients trust) and {@code ca.key} (mode 0600), made with Bouncy Castle, with ECDSA P-256
 * keys. It issues server certificates for a list of addresses and host names ({@code
 * subjectAltName}: IP addresses as {@code iPAddress}, the rest as {@code dNSName}), written as
 * {@code NAME.pem} and {@code NAME.key} (0600). {@code hpc-whisk up --tls} uses one for the local
 * cluster; the tests make others (a wrong CA, an expired certificate, a wrong host name).
 */
public final class LocalCa {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final X509Certificate certificate;
  private final PrivateKey key;

  private LocalCa(Path dir, X509Certificate certificate, PrivateKey key) {
    this.dir = dir;
    this.certificate = certificate;
    this.key = key;
  }

  /** The CA in {@code dir}, made there (valid 10 years) when {@code dir} holds none yet. */
  public static LocalCa openOrCreate(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Path cert = dir.resolve("ca.pem");
    Path keyFile = dir.resolve("ca.key");
    if (Files.isRegularFile(cert) && Files.isRegularFile(keyFile)) {
      return new LocalCa(
          dir,
          PemFiles.certificates("CA certificate", cert).get(0),
          PemFiles.privateKey("CA key", keyFile));
    }
    KeyPair pair = newKeyPair();
    Instant now = Instant.now();
    X500Name subject = new X500Name("CN=" + name + ", O=HPC-Whisk");
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              subject,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(3650))),
              subject,
              pair.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate ca = sign(b, pair.getPrivate());
      PemFiles.write(keyFile, PemFiles.pem(pair.getPrivate()), "rw-------");
      PemFiles.write(cert, PemFiles.pem(List.of(ca)), "rw-r--r--");
      return new LocalCa(dir, ca, pair.getPrivate());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make the CA certificate: " + e.getMessage(), e);
    }
  }

  /** The CA's certificate file (PEM): what clients and pilots trust. */
  public Path certificateFile() {
    return dir.resolve("ca.pem");
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * A server certificate for {@code names}, valid from now for {@code validity}; its files {@code
   * NAME.pem/.key}.
   */
  public Issued issue(String fileName, List<String> names, Duration validity) throws IOException {
    Instant now = Instant.now();
    return issue(fileName, names, now.minus(Duration.ofMinutes(5)), now.plus(validity));
  }

  /**
   * A server certificate for {@code names} valid from {@code notBefore} to {@code notAfter} (tests:
   * expired ones).
   */
  public Issued issue(String fileName, List<String> names, Instant notBefore, Instant notAfter)
      throws IOException {
    if (names.isEmpty()) {
      throw new IllegalArgumentException(
          "a server certificate needs at least one address or host name");
    }
    KeyPair pair = newKeyPair();
    List<GeneralName> alt = new ArrayList<>();
    for (String n : names) {
      alt.add(
          isAddress(n)
              ? new GeneralName(GeneralName.iPAddress, n)
              : new GeneralName(GeneralName.dNSName, n));
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              certificate,
              serial(),
              Date.from(notBefore),
              Date.from(notAfter),
              new X500Name("CN=" + names.get(0) + ", O=HPC-Whisk"),
              pair.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(alt.toArray(GeneralName[]::new)));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      X509Certificate cert = sign(b, key);
      Path certFile = dir.resolve(fileName + ".pem");
      Path keyFile = dir.resolve(fileName + ".key");
      PemFiles.write(keyFile, PemFiles.pem(pair.getPrivate()), "rw-------");
      PemFiles.write(certFile, PemFiles.pem(List.of(cert)), "rw-r--r--");
      return new Issued(certFile, keyFile, cert);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make the server certificate: " + e.getMessage(), e);
    }
  }

  /** An issued certificate's files. */
  public record Issued(Path certificate, Path key, X509Certificate x509) {}

  private static boolean isAddress(String name) {
    if (name.contains(":")) {
      return true;
    }
    if (!name.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return false;
    }
    try {
      InetAddress.getByName(name); // a literal: no lookup
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
  }
}

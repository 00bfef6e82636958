package io.hpcwhisk.pilot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a pilot trusts on a {@code wss://} link: only the CA certificates of its CA file (PEM, read
 * with the JDK), or the JVM's default trust store when the file is {@code system}. The JDK's client
 * checks the chain, the validity dates and that the certificate names the host of the URL (address
 * or name), so a server with another CA's certificate, an expired one or one for another host is
 * refused before any credential is sent.
 */
final class BalancerTrust {

  private BalancerTrust() {}

  /**
   * The TLS context for {@code caFile}; a missing, unreadable or empty file is an error naming it.
   */
  static SSLContext context(String caFile) {
    try {
      if (caFile.equals("system")) {
        return SSLContext.getDefault();
      }
      Path file = Path.of(caFile);
      Collection<? extends Certificate> certs;
      try (InputStream in = Files.newInputStream(file)) {
        certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "pilot.ca-file " + file + " cannot be read: " + e.getMessage(), e);
      } catch (CertificateException e) {
        throw new IllegalArgumentException(
            "pilot.ca-file " + file + " is not a PEM certificate: " + e.getMessage(), e);
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(
            "pilot.ca-file "
                + file
                + " holds no certificate; expected PEM"
                + " ('-----BEGIN CERTIFICATE-----')");
      }
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        trusted.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(
          "cannot set up TLS with " + caFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * The reason when {@code failure} is a certificate the pilot does not trust (unknown CA, expired,
   * another host name): a reason to stop, not to retry. Empty for anything else (refused
   * connection, a server restarting).
   */
  static Optional<String> certificateProblem(Throwable failure) {
    boolean handshake = false;
    Throwable certificate = null;
    Throwable root = null;
    for (Throwable t = failure; t != null && t != root; t = t.getCause()) {
      handshake |= t instanceof SSLHandshakeException;
      if (handshake && certificate == null && t instanceof CertificateException) {
        certificate = t;
      }
      if (t instanceof CertificateExpiredException) {
        return Optional.of("the certificate has expired (" + t.getMessage() + ")");
      }
      if (t instanceof CertificateNotYetValidException) {
        return Optional.of("the certificate is not valid yet (" + t.getMessage() + ")");
      }
      root = t;
    }
    if (certificate == null) {
      return Optional.empty();
    }
    return Optional.of(certificate.getMessage());
  }
}

package io.hpcwhisk.balancer.tls;

import io.hpcwhisk.balancer.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS: Jetty's {@link SslContextFactory.Server} holding the certificate and key of
 * {@code api.tls} (read from PEM by {@link PemFiles}), shared by the API's and the pilots'
 * connectors, checked at start and reloaded on a change ({@link SslContextFactory#reload}) as
 * docs/admin-guide.md §7, "TLS and certificates", states; log lines never carry key material.
 */
public final class ServerTls implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

  private final ServerConfig.Tls config;
  private final SslContextFactory.Server factory = new SslContextFactory.Server();
  private final ScheduledExecutorService watcher;
  private final AtomicLong reloads = new AtomicLong();
  private final AtomicLong failedHandshakes = new AtomicLong();
  private volatile long lastHandshakeLog;
  private volatile String digest;
  private volatile X509Certificate current;

  private ServerTls(ServerConfig.Tls config) {
    this.config = config;
    Loaded first = load(config);
    factory.setKeyStore(first.store());
    factory.setKeyStorePassword(first.password());
    factory.setKeyStoreType("PKCS12");
    factory.setSniRequired(false);
    factory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    digest = first.digest();
    current = first.chain().get(0);
    LOG.info("TLS: serving {}", describe(current, config.certificatePath()));
    watcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tls-reload");
              t.setDaemon(true);
              return t;
            });
    watcher.scheduleWithFixedDelay(
        this::checkForChange, config.reloadSeconds(), config.reloadSeconds(), TimeUnit.SECONDS);
  }

  /** Reads {@code api.tls}'s files and starts watching them; refuses unusable files. */
  public static ServerTls start(ServerConfig.Tls config) {
    if (!config.enabled()) {
      throw new IllegalArgumentException("api.tls has no certificate and key");
    }
    return new ServerTls(config);
  }

  /** The factory Jetty's TLS connectors use. */
  public SslContextFactory.Server factory() {
    return factory;
  }

  /** The certificate served now. */
  public X509Certificate certificate() {
    return current;
  }

  /** How many times a changed certificate was swapped in. */
  public long reloads() {
    return reloads.get();
  }

  /** TLS handshakes that failed (plain HTTP on the TLS port, untrusted clients, scanners). */
  public long failedHandshakes() {
    return failedHandshakes.get();
  }

  /**
   * Counts failed handshakes and logs one line per 10 s at most (a scanner cannot flood the log).
   */
  public SslHandshakeListener handshakeListener() {
    return new SslHandshakeListener() {
      @Override
      public void handshakeFailed(Event event, Throwable failure) {
        long n = failedHandshakes.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastHandshakeLog > TimeUnit.SECONDS.toNanos(10)) {
          lastHandshakeLog = now;
          String peer = String.valueOf(event.getSSLEngine().getPeerHost());
          LOG.info(
              "TLS handshake from {} failed: {} ({} failed handshakes so far)",
              peer,
              failure.getMessage(),
              n);
        }
      }
    };
  }

  /**
   * Checks the files now (the watcher does it every {@code reload-seconds}); true when a new
   * certificate was loaded.
   */
  public boolean checkForChange() {
    try {
      String now = digestOf(config);
      if (now.equals(digest)) {
        return false;
      }
      Loaded next = load(config);
      factory.reload(
          f -> {
            f.setKeyStore(next.store());
            f.setKeyStorePassword(next.password());
          });
      digest = next.digest();
      current = next.chain().get(0);
      reloads.incrementAndGet();
      LOG.info(
          "TLS: certificate files changed; now serving {}",
          describe(current, config.certificatePath()));
      return true;
    } catch (Exception e) {
      LOG.warn(
          "TLS: the changed certificate files cannot be used, still serving the previous"
              + " certificate: {}",
          e.getMessage());
      try {
        digest = digestOf(config); // do not log the same broken state every few seconds
      } catch (RuntimeException ignored) {
        // unreadable: tried again next time
      }
      return false;
    }
  }

  private record Loaded(
      KeyStore store, String password, List<X509Certificate> chain, String digest) {}

  private static Loaded load(ServerConfig.Tls config) {
    String digest = digestOf(config);
    List<X509Certificate> chain =
        new ArrayList<>(PemFiles.certificates("api.tls.certificate", config.certificatePath()));
    config.chainPath().ifPresent(p -> chain.addAll(PemFiles.certificates("api.tls.chain", p)));
    PrivateKey key = PemFiles.privateKey("api.tls.key", config.keyPath());
    if (!PemFiles.matches(key, chain.get(0))) {
      throw new IllegalArgumentException(
          "api.tls.key "
              + config.keyPath()
              + " is not the key of the certificate in "
              + config.certificatePath()
              + " ("
              + chain.get(0).getSubjectX500Principal()
              + ")");
    }
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    String password = Base64.getEncoder().encodeToString(random);
    return new Loaded(
        PemFiles.keyStore(key, chain, password.toCharArray()),
        password,
        List.copyOf(chain),
        digest);
  }

  private static String digestOf(ServerConfig.Tls config) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      List<Path> files = new ArrayList<>(List.of(config.certificatePath(), config.keyPath()));
      config.chainPath().ifPresent(files::add);
      for (Path f : files) {
        sha.update(Files.readAllBytes(f));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the TLS files: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(X509Certificate c, Path file) {
    String fingerprint;
    try {
      fingerprint =
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()))
              .substring(0, 16);
    } catch (Exception e) {
      fingerprint = "?";
    }
    String names;
    try {
      names =
          c.getSubjectAlternativeNames() == null
              ? "none"
              : c.getSubjectAlternativeNames().stream()
                  .map(l -> String.valueOf(l.get(1)))
                  .toList()
                  .toString();
    } catch (CertificateParsingException e) {
      names = "?";
    }
    return file
        + " ("
        + c.getSubjectX500Principal()
        + ", names "
        + names
        + ", valid until "
        + c.getNotAfter()
        + ", SHA-256 "
        + fingerprint
        + "...)";
  }

  @Override
  public void close() {
    watcher.shutdownNow();
  }
}

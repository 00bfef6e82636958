package io.hpcwhisk.balancer.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.testkit.LocalAttacker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * HTTPS on the API and WSS on the pilots' port from PEM files: served on every address of {@code
 * api.host}, read again when the files change, refused at start when the key is open to other
 * accounts, and attacked: a plain-HTTP client on the TLS port gets no answer (the failed handshake
 * is counted), a client trusting another CA is refused, the attacker account cannot read the key,
 * and no log line carries key material.
 */
class ServerTlsIT {

  @TempDir Path dir;
  private WhiskServer server;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  private ServerConfig config(String hosts, LocalCa.Issued cert) {
    return ServerConfig.DEFAULT
        .withApi(
            ServerConfig.DEFAULT
                .api()
                .withHost(hosts)
                .withPort(0)
                .withExecutor("pilots")
                .withDrainSeconds(1)
                .withTls(
                    new ServerConfig.Tls(
                        cert.certificate().toString(), cert.key().toString(), null, 1)))
        .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
        .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
  }

  private void captureLogs() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  @Test
  void servesHttpsAndWssOnEveryAddressReloadsAChangedCertificateAndRefusesPlainHttpAndOtherCas()
      throws Exception {
    captureLogs();
    LocalCa ca = LocalCa.openOrCreate(dir.resolve("tls"), "test CA");
    LocalCa.Issued cert =
        ca.issue("server", List.of("127.0.0.1", "127.0.0.2", "localhost"), Duration.ofDays(1));
    String firstKey = Files.readString(cert.key());
    server = WhiskServer.start(config("127.0.0.1,127.0.0.2", cert), "test");
    int port = server.address().getPort();
    assertThat(server.http().addresses())
        .extracting(InetSocketAddress::getPort)
        .containsOnly(port)
        .hasSize(2);
    assertThat(server.apiUrl()).isEqualTo("https://127.0.0.1:" + port);
    int pilotPort = server.pilotAddress().orElseThrow().getPort();
    assertThat(server.http().pilotAddresses())
        .extracting(InetSocketAddress::getPort)
        .containsOnly(pilotPort);
    assertThat(server.pilotUrl()).isEqualTo("wss://127.0.0.1:" + pilotPort + PilotProtocol.PATH);

    HttpClient trusting = client(ca.certificateFile());
    for (String host : List.of("127.0.0.1", "127.0.0.2")) {
      HttpResponse<String> r =
          get(trusting, "https://" + host + ":" + port + "/api/v1/namespaces/_/actions");
      assertThat(r.statusCode()).as(host).isEqualTo(401); // TLS works; no key given
      assertThat(served(r)).isEqualTo(cert.x509());
    }
    // the pilots' port is TLS too: a WebSocket upgrade without a credential is refused after the
    // handshake
    HttpResponse<String> pilotPlain = get(trusting, "https://127.0.0.1:" + pilotPort + "/");
    assertThat(pilotPlain.statusCode()).isEqualTo(404);

    // attack: plain HTTP on the TLS port gets no HTTP answer, and the failed handshake is counted
    long failedBefore = server.tls().orElseThrow().failedHandshakes();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /api/v1/namespaces/guest/actions HTTP/1.1\r\n"
                  + "Host: 127.0.0.1\r\n"
                  + "Authorization: Basic "
                  + Base64.getEncoder()
                      .encodeToString(Identity.GUEST.authKey().getBytes(StandardCharsets.UTF_8))
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(readAll(s.getInputStream()), StandardCharsets.ISO_8859_1);
      assertThat(answer).doesNotContain("HTTP/1.1 200").doesNotContain("guest");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.tls().orElseThrow().failedHandshakes() > failedBefore);
    assertThat(server.meters().scrape()).contains("whisk_tls_failed_handshakes_total");

    // attack: a client that trusts another CA refuses this server's certificate
    LocalCa other = LocalCa.openOrCreate(dir.resolve("other-ca"), "another CA");
    assertThatThrownBy(
            () -> get(client(other.certificateFile()), "https://127.0.0.1:" + port + "/api/v1"))
        .isInstanceOf(SSLHandshakeException.class)
        .hasStackTraceContaining("PKIX path");

    // rotation: a new certificate in the same files is served to new connections without a restart
    LocalCa.Issued renewed =
        ca.issue("server", List.of("127.0.0.1", "127.0.0.2"), Duration.ofDays(2));
    assertThat(renewed.x509()).isNotEqualTo(cert.x509());
    String renewedKey = Files.readString(renewed.key());
    await().atMost(Duration.ofSeconds(20)).until(() -> server.tls().orElseThrow().reloads() >= 1);
    assertThat(served(get(client(ca.certificateFile()), "https://127.0.0.2:" + port + "/api/v1")))
        .isEqualTo(renewed.x509());
    assertThat(server.tls().orElseThrow().certificate()).isEqualTo(renewed.x509());

    // a broken change (a key of another certificate) keeps the renewed certificate and says why
    LocalCa.Issued unrelated = ca.issue("unrelated", List.of("127.0.0.1"), Duration.ofDays(1));
    Files.copy(unrelated.key(), dir.resolve("tls/server.key"), StandardCopyOption.REPLACE_EXISTING);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                logs.list.stream()
                    .anyMatch(
                        e ->
                            e.getFormattedMessage()
                                .contains("still serving the previous certificate")));
    assertThat(server.tls().orElseThrow().certificate()).isEqualTo(renewed.x509());
    assertThat(served(get(client(ca.certificateFile()), "https://127.0.0.1:" + port + "/api/v1")))
        .isEqualTo(renewed.x509());

    // no key material in any log line
    for (String key :
        List.of(
            firstKey,
            renewedKey,
            Files.readString(unrelated.key()),
            Files.readString(dir.resolve("tls/ca.key")))) {
      String body = key.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
      for (ILoggingEvent e : logs.list) {
        assertThat(e.getFormattedMessage()).doesNotContain(body.substring(0, 40));
      }
    }
    assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("TLS: serving"));
  }

  @Test
  void aKeyOtherAccountsCanReadIsRefusedAtStartAndNoPortStaysOpen() throws Exception {
    LocalCa ca = LocalCa.openOrCreate(dir.resolve("tls"), "test CA");
    LocalCa.Issued cert = ca.issue("server", List.of("127.0.0.1"), Duration.ofDays(1));
    Files.setPosixFilePermissions(cert.key(), PosixFilePermissions.fromString("rw-r--r--"));
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    ServerConfig cfg = config("127.0.0.1", cert);
    ServerConfig fixed = cfg.withApi(cfg.api().withPort(port));
    assertThatThrownBy(() -> WhiskServer.start(fixed, "test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("api.tls.key " + cert.key())
        .hasMessageContaining("accessible to other accounts (mode rw-r--r--)")
        .hasMessageContaining("chmod 600");
    try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      assertThat(again.getLocalPort()).isEqualTo(port); // nothing kept the port
    }
    // the store was closed again: a second start with a private key works
    Files.setPosixFilePermissions(cert.key(), PosixFilePermissions.fromString("rw-------"));
    server = WhiskServer.start(fixed, "test");
    assertThat(server.apiUrl()).startsWith("https://");
  }

  @Test
  void aKeyOfAnotherCertificateOrNoKeyAtAllIsRefusedAtStart() throws Exception {
    LocalCa ca = LocalCa.openOrCreate(dir.resolve("tls"), "test CA");
    LocalCa.Issued one = ca.issue("one", List.of("127.0.0.1"), Duration.ofDays(1));
    LocalCa.Issued two = ca.issue("two", List.of("127.0.0.1"), Duration.ofDays(1));
    ServerConfig mixed =
        config("127.0.0.1", new LocalCa.Issued(one.certificate(), two.key(), one.x509()));
    assertThatThrownBy(() -> WhiskServer.start(mixed, "test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not the key of the certificate in " + one.certificate());
    ServerConfig notAKey =
        config("127.0.0.1", new LocalCa.Issued(one.certificate(), one.certificate(), one.x509()));
    Files.setPosixFilePermissions(one.certificate(), PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> WhiskServer.start(notAKey, "test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds no private key");
    assertThatThrownBy(() -> new ServerConfig.Tls("a.pem", null, null, null))
        .hasMessageContaining("api.tls: needs both certificate and key");
    assertThatThrownBy(() -> ServerConfig.DEFAULT.api().withHost("127.0.0.1,,10.0.0.1"))
        .hasMessageContaining("api.host: '127.0.0.1,,10.0.0.1'");
  }

  @Test
  void theAttackerAccountCannotReadTheKeysOfALocalCa() throws Exception {
    LocalAttacker attacker = LocalAttacker.ensure();
    Path tlsDir = Files.createDirectories(dir.resolve("open")).resolve("tls");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        dir.resolve("open"), PosixFilePermissions.fromString("rwxr-xr-x"));
    LocalCa ca = LocalCa.openOrCreate(tlsDir, "test CA");
    LocalCa.Issued cert = ca.issue("server", List.of("127.0.0.1"), Duration.ofDays(1));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tlsDir)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cert.key())))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(tlsDir.resolve("ca.key"))))
        .isEqualTo("rw-------");
    for (Path key : List.of(cert.key(), tlsDir.resolve("ca.key"))) {
      assertThat(attacker.canRead(key)).as(key.toString()).isFalse();
      LocalAttacker.Result r = attacker.run(Duration.ofSeconds(20), "cat", key.toString());
      assertThat(r.exitCode()).isNotZero();
      assertThat(r.all()).doesNotContain("PRIVATE KEY");
    }
    // even a copy of the key opened up by mistake (not in the 0700 directory) is refused by the
    // server
    Path leaked = dir.resolve("open/leaked.key");
    Files.copy(cert.key(), leaked);
    Files.setPosixFilePermissions(leaked, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> PemFiles.privateKey("api.tls.key", leaked))
        .hasMessageContaining("chmod 600");
  }

  private static X509Certificate served(HttpResponse<?> r) throws Exception {
    return (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpClient client(Path caFile) throws Exception {
    KeyStore trust = PemFiles.trustStore("CA", caFile);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    // a new client per call: a fresh TLS session sees the certificate served now
    return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try {
      return in.readAllBytes();
    } catch (SocketException e) {
      return new byte[0]; // reset by the server: no answer either
    }
  }
}

package io.hpcwhisk.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The private PostgreSQL 15 of {@code hpc-whisk up --ha} (Debian's {@code postgresql} package):
 * {@code initdb} in a fresh temporary directory (mode 0700, owned by the {@code postgres} account
 * when run as root: the account must reach it, which it cannot under root's 0700 run directory),
 * {@code postgres} on a free port of 127.0.0.1 with its Unix socket inside that directory, TCP
 * logins by password only ({@code scram-sha-256}), one login role {@code hpcw} with a random
 * password written to a 0600 file of the caller (never on a command line: SQL goes to {@code psql}
 * on its standard input). {@link #close()} stops the server by the pid started here and deletes the
 * directory (the session's database goes with it).
 */
final class PrivatePostgres implements AutoCloseable {

  static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
  static final String ROLE = "hpcw";
  static final String DATABASE = "hpcwhisk";

  private final Path dir;
  private final Path data;
  private final Path socketDir;
  private final boolean asPostgres;
  private final int port;
  private Process server;

  private PrivatePostgres(Path dir) throws IOException {
    this.dir = dir;
    this.data = dir.resolve("data");
    this.socketDir = dir.resolve("socket");
    this.asPostgres = "root".equals(System.getProperty("user.name"));
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      this.port = s.getLocalPort();
    }
  }

  /** Whether PostgreSQL 15 is installed. */
  static boolean available() {
    return Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("postgres"));
  }

  /**
   * Initialises a fresh cluster in {@code dir} (which must not hold one), starts it, creates the
   * role and its database, and writes the role's password to {@code passwordFile} (mode 0600).
   */
  static PrivatePostgres start(Path passwordFile) throws IOException {
    if (!available()) {
      throw new IllegalStateException(
          "PostgreSQL 15 is not installed ("
              + BIN
              + "; Debian package postgresql): run bin/install-deps");
    }
    Path dir = Files.createTempDirectory("hpcw-up-pg-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    PrivatePostgres pg = new PrivatePostgres(dir);
    try {
      Files.createDirectories(pg.socketDir);
      Files.setPosixFilePermissions(pg.socketDir, PosixFilePermissions.fromString("rwx------"));
      if (pg.asPostgres) {
        check(
            run(Duration.ofSeconds(30), null, "chown", "-R", "postgres:postgres", dir.toString()),
            "chown");
      }
      pg.init();
      pg.startServer();
      byte[] secret = new byte[24];
      new SecureRandom().nextBytes(secret);
      String password = HexFormat.of().formatHex(secret);
      Files.deleteIfExists(passwordFile);
      Files.createFile(
          passwordFile,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
      pg.psql(
          "postgres",
          "CREATE ROLE "
              + ROLE
              + " LOGIN PASSWORD '"
              + password
              + "';\n"
              + "CREATE DATABASE "
              + DATABASE
              + " OWNER "
              + ROLE
              + ";\n",
          password);
      return pg;
    } catch (IOException | RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  int port() {
    return port;
  }

  /** The pid of the postgres server started here, or -1. */
  long pid() {
    return server != null && server.isAlive() ? server.pid() : -1;
  }

  private List<String> asOwner(String... command) {
    List<String> cmd = new ArrayList<>();
    if (asPostgres) {
      cmd.addAll(
          List.of(
              "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--reset-env"));
    }
    cmd.addAll(List.of(command));
    return cmd;
  }

  private void init() throws IOException {
    check(
        run(
            Duration.ofMinutes(3),
            null,
            asOwner(
                    BIN.resolve("initdb").toString(),
                    "-D",
                    data.toString(),
                    "--auth-local=peer",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-instructions")
                .toArray(String[]::new)),
        "initdb");
    Files.writeString(
        data.resolve("pg_hba.conf"),
        "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\n",
        StandardCharsets.UTF_8);
  }

  private void startServer() throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
            asOwner(
                BIN.resolve("postgres").toString(),
                "-D",
                data.toString(),
                "-p",
                Integer.toString(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=" + socketDir,
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=64MB"));
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("postgres.log").toFile());
    server = pb.start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (true) {
      Result r =
          run(
              Duration.ofSeconds(30),
              null,
              BIN.resolve("pg_isready").toString(),
              "-h",
              "127.0.0.1",
              "-p",
              Integer.toString(port),
              "-t",
              "2");
      if (r.exitCode == 0) {
        return;
      }
      if (!server.isAlive() || System.nanoTime() > deadline) {
        throw new IOException("PostgreSQL did not start (see " + dir.resolve("postgres.log") + ")");
      }
      try {
        server.waitFor(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  private void psql(String database, String sql, String secret) throws IOException {
    Result r =
        run(
            Duration.ofMinutes(1),
            sql,
            asOwner(
                    BIN.resolve("psql").toString(),
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-h",
                    socketDir.toString(),
                    "-p",
                    Integer.toString(port),
                    "-d",
                    database)
                .toArray(String[]::new));
    if (r.exitCode != 0) {
      throw new IOException("psql failed (" + r.exitCode + "): " + r.output.replace(secret, "***"));
    }
  }

  /** The cluster's directory (data, socket, log). */
  Path dir() {
    return dir;
  }

  /** Stops the server (fast shutdown: SIGINT to the pid started here) and deletes its directory. */
  @Override
  public void close() {
    stop();
    try (var all = Files.walk(dir)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }

  private void stop() {
    if (server == null || !server.isAlive()) {
      return;
    }
    try {
      run(Duration.ofSeconds(10), null, "kill", "-INT", Long.toString(server.pid()));
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      server.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.destroyForcibly();
    }
  }

  private record Result(int exitCode, String output) {}

  private static void check(Result r, String what) throws IOException {
    if (r.exitCode != 0) {
      throw new IOException(what + " failed (" + r.exitCode + "): " + r.output.strip());
    }
  }

  private static Result run(Duration timeout, String stdin, String... command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    try {
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(command[0] + " timed out after " + timeout);
      }
      return new Result(p.exitValue(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }
}

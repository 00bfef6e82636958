package io.hpcwhisk.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL 15 cluster for one test class (Debian's {@code postgresql} package): {@code
 * initdb} in its own temporary directory, {@code postgres} on a free port of 127.0.0.1 with its
 * Unix socket in that directory (mode 0700), TCP logins by password only ({@code scram-sha-256} in
 * {@code pg_hba.conf}, no {@code trust}), one login role with a random password. Run as root (the
 * tests are), initdb and postgres run as the {@code postgres} system account through {@code
 * setpriv}, with the directory owned by it. {@link #close()} stops the server by the pid this
 * fixture started and deletes the directory.
 *
 * <p>The password is handed to {@code psql} on its standard input, never on a command line.
 */
public final class PostgresCluster implements AutoCloseable {

  public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final String ROLE = "hpcw";

  private final Path dir;
  private final Path data;
  private final Path socketDir;
  private final int port;
  private final String password;
  private final boolean asPostgres;
  private final List<String> settings;
  private Process server;
  private int databases;

  /** Whether PostgreSQL 15 is installed (and, when running as root, its system account exists). */
  public static boolean available() {
    return Files.isExecutable(BIN.resolve("initdb"))
        && Files.isExecutable(BIN.resolve("postgres"))
        && (!isRoot() || accountExists("postgres"));
  }

  /** The reason for {@code Required.on(available(), ...)}. */
  public static final String MISSING =
      "PostgreSQL 15 (/usr/lib/postgresql/15/bin; Debian package postgresql) is not installed";

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static boolean accountExists(String name) {
    try {
      return run(Duration.ofSeconds(10), null, "id", "-u", name).exitCode == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Initialises and starts a cluster with durable commits ({@code fsync} on), as a production
   * database runs.
   */
  public static PostgresCluster start() throws IOException {
    return start(List.of());
  }

  /**
   * As {@link #start()}, with extra server settings ({@code name=value}, e.g. {@code fsync=off}).
   */
  public static PostgresCluster start(List<String> settings) throws IOException {
    PostgresCluster c = new PostgresCluster(settings);
    try {
      c.init();
      c.startServer();
      c.createRole();
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private PostgresCluster(List<String> settings) throws IOException {
    this.settings = List.copyOf(settings);
    this.asPostgres = isRoot();
    this.dir = Files.createTempDirectory("hpcw-pg-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    this.data = dir.resolve("data");
    this.socketDir = dir.resolve("socket");
    Files.createDirectories(socketDir);
    Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwx------"));
    if (asPostgres) {
      chown(dir);
      chown(socketDir);
    }
    this.port = freePort();
    byte[] secret = new byte[18];
    new SecureRandom().nextBytes(secret);
    this.password = "pw-" + HexFormat.of().formatHex(secret);
  }

  private static void chown(Path p) throws IOException {
    Result r = run(Duration.ofSeconds(30), null, "chown", "postgres:postgres", p.toString());
    if (r.exitCode != 0) {
      throw new IOException("chown postgres " + p + " failed: " + r.output);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
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
    Result r =
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
                .toArray(String[]::new));
    if (r.exitCode != 0) {
      throw new IOException("initdb failed (" + r.exitCode + "): " + r.output);
    }
    // TCP from 127.0.0.1 by password only; the socket by the OS account only (its directory is
    // 0700)
    Files.writeString(
        data.resolve("pg_hba.conf"),
        "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\n",
        StandardCharsets.UTF_8);
  }

  private void startServer() throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(BIN.resolve("postgres").toString());
    cmd.addAll(
        List.of(
            "-D",
            data.toString(),
            "-p",
            Integer.toString(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=" + socketDir,
            "-c",
            "max_connections=100",
            "-c",
            "shared_buffers=32MB"));
    for (String s : settings) {
      cmd.add("-c");
      cmd.add(s);
    }
    ProcessBuilder pb = new ProcessBuilder(asOwner(cmd.toArray(String[]::new)));
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("postgres.log").toFile());
    server = pb.start();
    awaitReady(Duration.ofMinutes(2));
  }

  private void awaitReady(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
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
      if (!server.isAlive()) {
        throw new IOException("postgres exited with " + server.exitValue() + ": " + log().strip());
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("postgres not ready after " + timeout + ": " + log().strip());
      }
      try {
        server.waitFor(100, TimeUnit.MILLISECONDS); // returns at once if it exits
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  /** The server's log so far. */
  public String log() {
    try {
      return Files.readString(dir.resolve("postgres.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Runs SQL as the cluster's superuser over the private socket; the SQL goes on stdin. */
  public String psql(String database, String sql) throws IOException {
    Result r =
        run(
            Duration.ofMinutes(1),
            sql,
            asOwner(
                    BIN.resolve("psql").toString(),
                    "-X",
                    "-q",
                    "-A",
                    "-t",
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
      // the output of a failed statement may quote it: never show the password
      throw new IOException(
          "psql failed (" + r.exitCode + "): " + r.output.replace(password, "***"));
    }
    return r.output;
  }

  private void createRole() throws IOException {
    psql("postgres", "CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + password + "';");
  }

  /** A new, empty database owned by the login role; returns its JDBC URL. */
  public synchronized String createDatabase() throws IOException {
    String name = "db" + (++databases);
    psql("postgres", "CREATE DATABASE " + name + " OWNER " + ROLE + ";");
    return jdbcUrl(name);
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public String user() {
    return ROLE;
  }

  /** The login role's password (for a test's password file; never print it). */
  public String password() {
    return password;
  }

  public int port() {
    return port;
  }

  /** The cluster's directory (data directory and socket inside). */
  public Path dir() {
    return dir;
  }

  public Path dataDir() {
    return data;
  }

  public Path socketDir() {
    return socketDir;
  }

  /** The pid of the postgres server this fixture started, or -1 when stopped. */
  public long pid() {
    return server != null && server.isAlive() ? server.pid() : -1;
  }

  /** Stops the server (fast shutdown, SIGINT to the pid started here); the data stays. */
  public void stop() throws IOException {
    if (server == null) {
      return;
    }
    if (server.isAlive()) {
      run(Duration.ofSeconds(10), null, "kill", "-INT", Long.toString(server.pid()));
      try {
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
          server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        server.destroyForcibly();
      }
    }
    server = null;
  }

  /** Starts the stopped server again on the same port and data. */
  public void restart() throws IOException {
    if (server != null && server.isAlive()) {
      return;
    }
    startServer();
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (IOException e) {
      // deleting the directory below still runs
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory left behind is not worth failing a test for
    }
  }

  private record Result(int exitCode, String output) {}

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

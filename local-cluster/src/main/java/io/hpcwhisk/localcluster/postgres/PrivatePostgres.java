package io.hpcwhisk.localcluster.postgres;

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
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A private PostgreSQL 15 cluster (Debian's {@code postgresql} package), the one implementation
 * behind {@code hpc-whisk up --ha}, the test kit's {@code PostgresCluster} and the benchmarks:
 * {@code initdb} in a fresh temporary directory (mode 0700), {@code postgres} on a free port of
 * 127.0.0.1 with its Unix socket inside that directory, TCP logins by password only ({@code
 * scram-sha-256} in {@code pg_hba.conf}, no {@code trust}), the socket for the OS account that owns
 * the cluster only ({@code peer}), one login role {@value #ROLE} with a random password.
 *
 * <p>Run as root, {@code initdb}, {@code postgres} and {@code psql} run as the {@code postgres}
 * system account through {@code setpriv}, with the directory owned by it (the account must reach
 * it, which it cannot under a root-owned 0700 directory). The password never appears on a command
 * line: SQL goes to {@code psql} on its standard input, and a failed statement's output has the
 * password masked. {@link #close()} stops the server by the pid started here (fast shutdown) and
 * deletes the directory with its databases.
 *
 * <p>Server settings: {@code max_connections=200}, {@code shared_buffers=64MB}, durable commits
 * ({@code fsync} on); {@link #start(List)} takes more ({@code name=value}), later ones winning.
 */
public final class PrivatePostgres implements AutoCloseable {

  /** Where Debian's PostgreSQL 15 binaries are. */
  public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

  /** The login role. */
  public static final String ROLE = "hpcw";

  /** Why {@link #available()} is false, for an error or a skipped test. */
  public static final String MISSING =
      "PostgreSQL 15 (/usr/lib/postgresql/15/bin; Debian package postgresql) is not installed";

  private static final List<String> DEFAULTS =
      List.of("max_connections=200", "shared_buffers=64MB");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  private static final Pattern SETTING = Pattern.compile("[a-z_.]+=[^\\s]*");

  private final Path dir;
  private final Path data;
  private final Path socketDir;
  private final int port;
  private final String password;
  private final boolean asPostgres;
  private final List<String> settings;
  private Process server;

  /** Whether PostgreSQL 15 is installed (and, when running as root, its system account exists). */
  public static boolean available() {
    return Files.isExecutable(BIN.resolve("initdb"))
        && Files.isExecutable(BIN.resolve("postgres"))
        && (!isRoot() || accountExists("postgres"));
  }

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

  /** Initialises and starts a cluster with the default settings. */
  public static PrivatePostgres start() throws IOException {
    return start(List.of());
  }

  /**
   * Initialises and starts a cluster with extra server settings ({@code name=value}, e.g. {@code
   * fsync=off}; they override the defaults) and creates the login role.
   *
   * @throws IllegalStateException when PostgreSQL 15 is not installed
   * @throws IllegalArgumentException for a setting not of the form {@code name=value}
   */
  public static PrivatePostgres start(List<String> settings) throws IOException {
    for (String s : settings) {
      if (!SETTING.matcher(s).matches()) {
        throw new IllegalArgumentException(
            "PostgreSQL setting '" + s + "': expected name=value (e.g. fsync=off)");
      }
    }
    if (!available()) {
      throw new IllegalStateException(MISSING + ": run bin/install-deps");
    }
    List<String> all = new ArrayList<>(DEFAULTS);
    all.addAll(settings);
    PrivatePostgres pg = new PrivatePostgres(all);
    try {
      pg.init();
      pg.startServer();
      pg.psql("postgres", "CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + pg.password + "';");
      return pg;
    } catch (IOException | RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  private PrivatePostgres(List<String> settings) throws IOException {
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
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      this.port = s.getLocalPort();
    }
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    this.password = HexFormat.of().formatHex(secret);
  }

  private static void chown(Path p) throws IOException {
    Result r = run(Duration.ofSeconds(30), null, "chown", "postgres:postgres", p.toString());
    if (r.exitCode != 0) {
      throw new IOException("chown postgres " + p + " failed: " + r.output.strip());
    }
  }

  private List<String> asOwner(List<String> command) {
    List<String> cmd = new ArrayList<>();
    if (asPostgres) {
      cmd.addAll(
          List.of(
              "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--reset-env"));
    }
    cmd.addAll(command);
    return cmd;
  }

  private void init() throws IOException {
    Result r =
        run(
            Duration.ofMinutes(3),
            null,
            asOwner(
                List.of(
                    BIN.resolve("initdb").toString(),
                    "-D",
                    data.toString(),
                    "--auth-local=peer",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-instructions")));
    if (r.exitCode != 0) {
      throw new IOException("initdb failed (" + r.exitCode + "): " + r.output.strip());
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
    cmd.addAll(
        List.of(
            BIN.resolve("postgres").toString(),
            "-D",
            data.toString(),
            "-p",
            Integer.toString(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=" + socketDir));
    for (String s : settings) {
      cmd.add("-c");
      cmd.add(s);
    }
    ProcessBuilder pb = new ProcessBuilder(asOwner(cmd));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()));
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
              List.of(
                  BIN.resolve("pg_isready").toString(),
                  "-h",
                  "127.0.0.1",
                  "-p",
                  Integer.toString(port),
                  "-t",
                  "2"));
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

  /**
   * Runs SQL as the cluster's superuser over the private socket (the SQL goes on standard input);
   * returns the unaligned, tuples-only output.
   */
  public String psql(String database, String sql) throws IOException {
    Result r =
        run(
            Duration.ofMinutes(1),
            sql,
            asOwner(
                List.of(
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
                    database)));
    if (r.exitCode != 0) {
      // the output of a failed statement may quote it: never show the password
      throw new IOException(
          "psql failed (" + r.exitCode + "): " + r.output.replace(password, "***").strip());
    }
    return r.output;
  }

  /**
   * Creates an empty database owned by the login role; returns its JDBC URL.
   *
   * @throws IllegalArgumentException for a name that is not a lower-case SQL identifier
   */
  public String createDatabase(String name) throws IOException {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "database name '" + name + "': expected [a-z][a-z0-9_]*, at most 63 characters");
    }
    psql("postgres", "CREATE DATABASE " + name + " OWNER " + ROLE + ";");
    return jdbcUrl(name);
  }

  /**
   * Writes the login role's password to {@code file} (replaced; created with mode 0600 before the
   * password goes in).
   */
  public void writePasswordFile(Path file) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public String user() {
    return ROLE;
  }

  /** The login role's password (for a password file; never print it). */
  public String password() {
    return password;
  }

  public int port() {
    return port;
  }

  /** The cluster's directory (data directory, socket and log inside). */
  public Path dir() {
    return dir;
  }

  public Path dataDir() {
    return data;
  }

  public Path socketDir() {
    return socketDir;
  }

  /** The pid of the postgres server started here (the postmaster), or -1 when stopped. */
  public long pid() {
    return server != null && server.isAlive() ? server.pid() : -1;
  }

  /** Stops the server (fast shutdown: SIGINT to the pid started here); the data stays. */
  public void stop() throws IOException {
    if (server == null) {
      return;
    }
    if (server.isAlive()) {
      run(Duration.ofSeconds(10), null, List.of("kill", "-INT", Long.toString(server.pid())));
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

  /** Stops the server and deletes its directory (the databases go with it). */
  @Override
  public void close() {
    try {
      stop();
    } catch (IOException e) {
      if (server != null) {
        server.destroyForcibly();
      }
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
      // a temporary directory left behind
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result run(Duration timeout, String stdin, String... command) throws IOException {
    return run(timeout, stdin, List.of(command));
  }

  private static Result run(Duration timeout, String stdin, List<String> command)
      throws IOException {
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
        throw new IOException(command.get(0) + " timed out after " + timeout);
      }
      return new Result(p.exitValue(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }
}

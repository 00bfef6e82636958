package io.hpcwhisk.localcluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Slurm's REST daemon for a Slurm 24.11 local cluster, with JWT authentication (key, token, user
 * and files as docs/local-cluster.md, "slurmrestd", states); no token is ever on its command line
 * or in its environment.
 */
final class SlurmRestd {

  static final String PID = "run/slurmrestd.pid";
  static final String RECORD = "rest.properties";
  static final String USER = "nobody";
  static final String GROUP = "nogroup";
  static final Duration TOKEN_LIFESPAN = Duration.ofDays(7);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private SlurmRestd() {}

  static Path jwtDir(Path dir) {
    return dir.resolve("jwt");
  }

  static Path key(Path dir) {
    return jwtDir(dir).resolve("jwt_hs256.key");
  }

  /** The token file {@code up} writes (mode 0600). */
  static Path token(Path dir) {
    return jwtDir(dir).resolve("token");
  }

  /** The {@code slurm.conf} lines that turn JWT on. */
  static String slurmConf(Path dir) {
    return "\n# slurmrestd with JWT (written by hpc-whisk local-cluster up; the key is "
        + key(dir)
        + ", 0600)\nAuthAltTypes=auth/jwt\nAuthAltParameters=jwt_key="
        + key(dir)
        + "\n";
  }

  /** Writes a fresh JWT key (32 random bytes, 0600, in a 0700 directory) unless one is there. */
  static void writeKey(Path dir) {
    Path jwt = jwtDir(dir);
    try {
      Files.createDirectories(jwt);
      Files.setPosixFilePermissions(jwt, PosixFilePermissions.fromString("rwx------"));
      Path key = key(dir);
      if (Files.isRegularFile(key) && Files.size(key) >= 32) {
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return;
      }
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      Files.deleteIfExists(key);
      Files.createFile(
          key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(key, bytes, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new LocalClusterException(
          "cannot write the JWT key in " + jwt + ": " + e.getMessage(), e);
    }
  }

  /** The URL recorded for the running daemon, if it runs. */
  static Optional<URI> url(Path dir) {
    if (Daemons.alive(dir.resolve(PID), "slurmrestd").isEmpty()) {
      return Optional.empty();
    }
    return recordedUrl(dir);
  }

  static Optional<URI> recordedUrl(Path dir) {
    Path file = dir.resolve(RECORD);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
      String url = p.getProperty("url");
      return url == null ? Optional.empty() : Optional.of(URI.create(url));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Starts slurmrestd (unless it runs) and mints the token file; answers the URL. */
  static URI start(Path dir, Path conf, SlurmInstallation slurm, LocalCluster cluster) {
    Optional<URI> running = url(dir);
    if (running.isEmpty()) {
      // the same port again after a crash or a stop, so that clients configured with it reconnect
      int port =
          recordedUrl(dir)
              .map(URI::getPort)
              .filter(p -> p > 0 && Ports.free(p))
              .orElseGet(SlurmRestd::freePort);
      URI url = URI.create("http://127.0.0.1:" + port);
      Path log = dir.resolve("log/slurmrestd.log");
      List<String> command =
          new ArrayList<>(
              slurm.command(
                  dir,
                  "slurmrestd",
                  List.of(
                      "-f",
                      conf.toString(),
                      "-a",
                      "rest_auth/jwt",
                      "-s",
                      "openapi/slurmctld",
                      "-u",
                      USER,
                      "-g",
                      GROUP,
                      "127.0.0.1:" + port)));
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectErrorStream(true);
      builder.environment().put("SLURM_JWT", "daemon");
      builder.environment().put("SLURM_CONF", conf.toString());
      Process process;
      try {
        process = builder.start();
        Files.writeString(dir.resolve(PID), process.pid() + "\n");
        Properties p = new Properties();
        p.setProperty("url", url.toString());
        try (var writer = Files.newBufferedWriter(dir.resolve(RECORD))) {
          p.store(
              writer, "slurmrestd of this local cluster; written by hpc-whisk local-cluster up");
        }
      } catch (IOException e) {
        throw new LocalClusterException("cannot start slurmrestd: " + e.getMessage(), e);
      }
      awaitListening(process, port, log);
      running = Optional.of(url);
    }
    mintToken(dir, cluster);
    return running.get();
  }

  /** {@code scontrol token} for the calling user, written to the token file (0600). */
  static void mintToken(Path dir, LocalCluster cluster) {
    CommandResult r =
        cluster.run(
            List.of(
                "scontrol",
                "token",
                "username=" + System.getProperty("user.name"),
                "lifespan=" + TOKEN_LIFESPAN.toSeconds()));
    String out = r.ok() ? r.stdout().strip() : "";
    if (!out.startsWith("SLURM_JWT=")) {
      throw new LocalClusterException(
          "scontrol token did not print a token: " + (r.ok() ? "no SLURM_JWT= line" : r.tail()));
    }
    Path token = token(dir);
    try {
      Path tmp = token.resolveSibling("token.new");
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, out.substring("SLURM_JWT=".length()) + "\n");
      Files.move(tmp, token, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new LocalClusterException("cannot write " + token + ": " + e.getMessage(), e);
    }
  }

  private static void awaitListening(Process process, int port, Path log) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new LocalClusterException(
            "slurmrestd exited at start; see " + log + ": " + Daemons.tail(log));
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        Daemons.pause(100);
      }
    }
    throw new LocalClusterException(
        "slurmrestd did not listen on 127.0.0.1:"
            + port
            + " within "
            + START_TIMEOUT.toSeconds()
            + " s; see "
            + log
            + ": "
            + Daemons.tail(log));
  }

  /** Stops the daemon recorded in the directory; true if one ran. */
  static boolean stop(Path dir) {
    return Daemons.stop(dir.resolve(PID), "slurmrestd", Duration.ofSeconds(5));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new LocalClusterException("found no free port for slurmrestd: " + e.getMessage(), e);
    }
  }

  static Map<String, String> describe(Path dir) {
    return url(dir)
        .map(u -> Map.of("url", u.toString(), "token", token(dir).toString()))
        .orElse(Map.of());
  }
}

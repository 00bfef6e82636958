package io.hpcwhisk.localcluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;

/**
 * Picks the ports of a local cluster: {@code count} consecutive free ports, starting from a base
 * derived from the cluster's directory so that the same directory usually gets the same ports and
 * two directories rarely collide.
 */
final class Ports {

  static final int LOW = 20000;
  static final int HIGH = 60000;

  private Ports() {}

  /** The first of {@code count} consecutive free ports for {@code dir}. */
  static int pick(Path dir, int count) {
    int span = HIGH - LOW - count;
    int start = LOW + Math.floorMod(dir.toString().hashCode() * 31, span);
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = LOW + Math.floorMod(start - LOW + attempt * (count + 7), span);
      if (firstTaken(base, count) < 0) {
        return base;
      }
    }
    throw new LocalClusterException(
        "found no " + count + " consecutive free ports between " + LOW + " and " + HIGH);
  }

  /** The first port of {@code [base, base + count)} that is in use, or -1 when all are free. */
  static int firstTaken(int base, int count) {
    for (int port = base; port < base + count; port++) {
      if (!free(port)) {
        return port;
      }
    }
    return -1;
  }

  static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      socket.setReuseAddress(false);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

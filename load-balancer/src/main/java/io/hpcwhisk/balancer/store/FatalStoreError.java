package io.hpcwhisk.balancer.store;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a server does when its store fails for good (the MVStore closed itself, e.g. after an
 * OutOfMemoryError while writing): it cannot serve anything that touches the store, and nothing in
 * the process can reopen it, so it exits with {@link #EXIT_STATUS} and lets the service manager
 * restart it (the shipped systemd unit has {@code Restart=on-failure}); the next start replays the
 * journal. Staying up would answer 500 to everything until someone noticed.
 */
public final class FatalStoreError {

  /** EX_SOFTWARE from sysexits.h: an internal error, not a configuration one. */
  public static final int EXIT_STATUS = 70;

  private static final Logger LOG = LoggerFactory.getLogger(FatalStoreError.class);

  private FatalStoreError() {}

  /**
   * Exits the JVM with {@link #EXIT_STATUS}: runs the shutdown hooks on a thread of its own (the
   * caller may hold store locks) and halts after 15 s if they hang on the broken store.
   */
  public static void exitProcess(Throwable cause) {
    LOG.error(
        "exiting with status {} so that the service manager restarts the server", EXIT_STATUS);
    Thread halt =
        new Thread(
            () -> {
              try {
                TimeUnit.SECONDS.sleep(15);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Runtime.getRuntime().halt(EXIT_STATUS);
            },
            "store-fatal-halt");
    halt.setDaemon(true);
    halt.start();
    new Thread(() -> System.exit(EXIT_STATUS), "store-fatal-exit").start();
  }
}

package io.hpcwhisk.balancer;

import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.FakeDispatcher;
import io.hpcwhisk.balancer.store.StoreBackdoor;
import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * A real server process for the restart test, with the test's fake executor: {@code hold} keeps
 * every activation in flight forever, {@code echo} completes it at once, {@code breakable} echoes
 * and closes the store under the server (as MVStore does after a failed write) when the line {@code
 * break} arrives on standard input. Args: MODE DATA_DIR [JDBC_URL USER PASSWORD_FILE] (the last
 * three: {@code store.kind: postgres}).
 */
public final class FakeExecutorServerMain {
  private FakeExecutorServerMain() {}

  public static void main(String[] args) throws Exception {
    boolean hold = args[0].equals("hold");
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(ServerConfig.DEFAULT.api().withPort(0).withGuest(true).withDrainSeconds(1))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(args[1]));
    if (args.length >= 5) {
      config =
          config.withStore(
              config
                  .store()
                  .withPostgres(new ServerConfig.Postgres(args[2], args[3], args[4], 4, 5000)));
    }
    WhiskServer server =
        WhiskServer.start(config, (clock, host) -> new FakeDispatcher(hold), "restart-test");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    e.printStackTrace();
                  }
                }));
    System.out.println(
        "recovered " + server.recovery().redispatched() + " " + server.recovery().ended());
    System.out.println("listening on http://127.0.0.1:" + server.address().getPort());
    System.out.flush();
    if (args[0].equals("breakable")) {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.equals("break")) {
          StoreBackdoor.breakStore(server.store());
          System.out.println("store broken");
          System.out.flush();
        }
      }
    }
    Thread.currentThread().join();
  }
}

package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.FakeDispatcher;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile API user filling the store: with a 1 MB namespace quota, invocations whose results are
 * 200 kB each are refused with 429 and the figures once another would take the namespace over 1 MB,
 * nothing is written for the refused ones, trigger fires are refused too, and another namespace is
 * not affected.
 */
class StorageQuotaIT {

  @TempDir Path dir;

  @Test
  void invocationsAndFiresOverTheNamespacesQuotaAre429AndWriteNothing() throws Exception {
    FakeDispatcher echo = new FakeDispatcher(); // the record's result is the payload
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withExecutor("none")
                    .withDrainSeconds(0))
            .withStore(
                ServerConfig.DEFAULT.store().withDataDir(dir.toString()).withNamespaceQuotaMb(1));
    try (WhiskServer server = WhiskServer.start(config, (clock, host) -> echo, "test")) {
      String base = "http://127.0.0.1:" + server.address().getPort();
      ApiClient mallory = new ApiClient(base, server.identities().create("mallory").authKey());
      ApiClient guest = mallory.as(Identity.GUEST.authKey());
      String code = "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return p}\"}}";
      mallory.put("/api/v1/namespaces/_/actions/echo", code);
      mallory.put("/api/v1/namespaces/_/triggers/t", "{}");
      guest.put("/api/v1/namespaces/_/actions/echo", code);
      String big = "{\"blob\":\"" + "x".repeat(200_000) + "\"}";
      int accepted = 0;
      ApiClient.Answer last = null;
      for (int i = 0; i < 10; i++) {
        last = mallory.post("/api/v1/namespaces/_/actions/echo?blocking=true", big);
        if (last.status() != 200) {
          break;
        }
        accepted++;
      }
      assertThat(accepted).as("about 1 MB of 200 kB records").isBetween(4, 5);
      assertThat(last.status()).isEqualTo(429);
      assertThat(last.error())
          .contains("The namespace 'mallory' keeps", "its storage quota is 1,024 kB");
      assertThat(last.body().path("code").asText()).isEqualTo(last.header("X-Request-ID"));
      long records =
          mallory
              .get("/api/v1/namespaces/_/activations?count=true")
              .body()
              .path("activations")
              .asLong();
      assertThat(records).as("nothing written for the refusal").isEqualTo(accepted);
      assertThat(mallory.post("/api/v1/namespaces/_/actions/echo", big).status())
          .as("non-blocking too")
          .isEqualTo(429);
      ApiClient.Answer fire = mallory.post("/api/v1/namespaces/_/triggers/t", big);
      assertThat(fire.status()).isEqualTo(429);
      assertThat(fire.error()).contains("storage quota");
      assertThat(
              mallory
                  .get("/api/v1/namespaces/_/activations?count=true")
                  .body()
                  .path("activations")
                  .asLong())
          .isEqualTo(accepted);
      assertThat(guest.post("/api/v1/namespaces/_/actions/echo?blocking=true", big).status())
          .as("another namespace has its own quota")
          .isEqualTo(200);
    } finally {
      echo.close();
    }
  }
}

package io.hpcwhisk.balancer.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.FakeDispatcher;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A web invocation is an activation of the action's owner: it counts towards the owner's per-minute
 * limit (and no one else's, whoever calls), and a result still running after the blocking wait is
 * 202 with the activation's id. The executor is a fake that echoes (this test is about accounting,
 * not about running code).
 */
class WebActionsAccountingIT {

  private static final String WEB_ACTION =
      "{\"exec\":{\"kind\":\"nodejs:default\",\"code\":\"function main(p){return p}\"},"
          + "\"annotations\":[{\"key\":\"web-export\",\"value\":true}]}";

  @TempDir Path dir;
  private WhiskServer server;
  private FakeDispatcher fake;
  private ApiClient anonymous;
  private ApiClient guest;
  private ApiClient bob;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeDispatcher();
    // blocking wait 2 s, 10 invocations per minute per namespace
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                new ServerConfig.Api("127.0.0.1", 0, true, "none", 2, 65_536L, 10, 5, 5, null, 0))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.toString()));
    server = WhiskServer.start(config, (clock, host) -> fake, "test");
    String base = "http://127.0.0.1:" + server.address().getPort();
    guest = new ApiClient(base, Identity.GUEST.authKey());
    bob = guest.as(server.identities().create("bob").authKey());
    anonymous = guest.as(null);
    assertThat(bob.put("/api/v1/namespaces/_/actions/site", WEB_ACTION).status()).isEqualTo(200);
  }

  @AfterEach
  void stop() throws Exception {
    fake.close();
    server.close();
  }

  @Test
  void webCallsCountTowardsTheOwnersLimitOnly() {
    for (int i = 0; i < 10; i++) {
      ApiClient.Answer a = guest.get("/api/v1/web/bob/default/site.json?i=" + i);
      assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
      assertThat(a.body().path("__ow_user").asText()).isEqualTo("guest");
    }
    ApiClient.Answer over = anonymous.get("/api/v1/web/bob/default/site.json");
    assertThat(over.status()).as(over.raw().body()).isEqualTo(429);
    assertThat(over.raw().body()).doesNotContain("Exception");
    assertThat(bob.post("/api/v1/namespaces/_/actions/site?blocking=true", "{}").status())
        .as("the owner's own invocations are over the limit too")
        .isEqualTo(429);
    assertThat(guest.put("/api/v1/namespaces/_/actions/mine", WEB_ACTION).status()).isEqualTo(200);
    assertThat(guest.post("/api/v1/namespaces/_/actions/mine?blocking=true", "{}").status())
        .as("the caller's namespace was not charged")
        .isEqualTo(200);
    assertThat(fake.requests).allSatisfy(r -> assertThat(r.namespace()).isIn("bob", "guest"));
    assertThat(fake.requests.stream().filter(r -> r.namespace().equals("bob")).count())
        .isEqualTo(10);
  }

  @Test
  void aResultNotReadyInTimeIs202WithTheActivationId() {
    ApiClient.Answer a = anonymous.get("/api/v1/web/bob/default/site.json?hold=true");
    assertThat(a.status()).as(a.raw().body()).isEqualTo(202);
    assertThat(a.error()).isEqualTo("Response not yet ready.");
    String id = a.header("x-openwhisk-activation-id");
    assertThat(id).matches("[0-9a-f]{32}");
    assertThat(bob.get("/api/v1/namespaces/_/activations/" + id).status())
        .as("still running: no record yet")
        .isEqualTo(404);
  }
}

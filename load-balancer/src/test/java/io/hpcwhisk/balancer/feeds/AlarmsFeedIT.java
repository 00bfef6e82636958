package io.hpcwhisk.balancer.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.auth.NamespaceLimits;
import io.hpcwhisk.balancer.config.AlarmsConfig;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feed lifecycle of {@code /whisk.system/alarms} over the real HTTP API, as a client invokes it
 * (blocking, with {@code lifecycleEvent}, {@code triggerName} and its {@code authKey}), and attacks
 * on it by a hostile user: bad parameters answer an application error naming the parameter and the
 * expected form, never a stack trace; another namespace's trigger, a schedule every second, more
 * alarms than the namespace may have and a payload over the body limit are refused; a failed CREATE
 * leaves no trigger made for the feed; the caller's key is in no record nor store file.
 */
class AlarmsFeedIT {

  private static final int CAP = 3;

  @TempDir Path dir;
  private WhiskServer server;
  private ApiClient alice;
  private String aliceKey;
  private ApiClient mallory;

  @BeforeEach
  void start() throws Exception {
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT.api().withPort(0).withExecutor("none").withDrainSeconds(0))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
            .withAlarms(new AlarmsConfig(CAP, null));
    server = WhiskServer.start(config, "test");
    String base = "http://127.0.0.1:" + server.address().getPort();
    aliceKey = server.identities().create("alice").authKey();
    alice = new ApiClient(base, aliceKey);
    mallory = new ApiClient(base, server.identities().create("mallory").authKey());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Invokes the feed as the npm client's feeds API does: blocking, with the caller's authKey. */
  private ApiClient.Answer feed(ApiClient who, String key, String feed, String event, String json) {
    ObjectNode params = (ObjectNode) Json.tree(Json.read(json, JsonNode.class));
    params.put("lifecycleEvent", event);
    params.put("authKey", key);
    return who.post(
        "/api/v1/namespaces/whisk.system/actions/alarms/" + feed + "?blocking=true",
        params.toString());
  }

  private static String error(ApiClient.Answer a) {
    assertThat(a.status()).as("application error of the feed: %s", a.body()).isEqualTo(502);
    String error = a.body().path("response").path("result").path("error").asText();
    assertThat(a.raw().body()).doesNotContain("Exception").doesNotContain("\tat ");
    return error;
  }

  /**
   * A CREATE of {@code feed} with {@code json} is refused with an error containing {@code parts}.
   */
  private void assertCreateRefused(String feed, String json, String... parts) {
    assertThat(error(feed(alice, aliceKey, feed, "CREATE", json))).as(json).contains(parts);
  }

  @Test
  void thePackageIsPublicAndItsActionsAreFeeds() {
    ApiClient.Answer pkg = alice.get("/api/v1/namespaces/whisk.system/packages/alarms");
    assertThat(pkg.status()).isEqualTo(200);
    assertThat(pkg.body().path("publish").asBoolean()).isTrue();
    assertThat(pkg.raw().body()).contains("\"alarm\"", "\"once\"", "\"interval\"");
    ApiClient.Answer alarm = alice.get("/api/v1/namespaces/whisk.system/actions/alarms/alarm");
    assertThat(alarm.status()).isEqualTo(200);
    assertThat(alarm.raw().body()).contains("\"feed\"");
  }

  @Test
  void theLifecycleCreateReadUpdatePauseUnpauseDelete() throws IOException {
    assertThat(alice.put("/api/v1/namespaces/_/triggers/every5", "{}").status()).isEqualTo(200);
    ApiClient.Answer created =
        feed(
            alice,
            aliceKey,
            "alarm",
            "CREATE",
            "{\"triggerName\":\"/_/every5\",\"cron\":\"*/5 * * * *\",\"trigger_payload\":\"hi\"}");
    assertThat(created.status()).as("%s", created.body()).isEqualTo(200);
    assertThat(created.body().path("response").path("result").path("status").asText())
        .isEqualTo("success");

    JsonNode read =
        feed(alice, aliceKey, "alarm", "READ", "{\"triggerName\":\"/alice/every5\"}")
            .body()
            .path("response")
            .path("result");
    assertThat(read.path("config").path("cron").asText()).isEqualTo("*/5 * * * *");
    assertThat(read.path("config").path("payload").path("payload").asText()).isEqualTo("hi");
    assertThat(read.path("status").path("active").asBoolean()).isTrue();

    assertThat(
            feed(
                    alice,
                    aliceKey,
                    "alarm",
                    "UPDATE",
                    "{\"triggerName\":\"/_/every5\",\"cron\":\"0 * * * *\"}")
                .status())
        .isEqualTo(200);
    assertThat(feed(alice, aliceKey, "alarm", "PAUSE", "{\"triggerName\":\"/_/every5\"}").status())
        .isEqualTo(200);
    read =
        feed(alice, aliceKey, "alarm", "READ", "{\"triggerName\":\"/_/every5\"}")
            .body()
            .path("response")
            .path("result");
    assertThat(read.path("config").path("cron").asText()).isEqualTo("0 * * * *");
    assertThat(read.path("status").path("active").asBoolean()).isFalse();
    assertThat(
            feed(alice, aliceKey, "alarm", "UNPAUSE", "{\"triggerName\":\"/_/every5\"}").status())
        .isEqualTo(200);
    assertThat(
            feed(alice, aliceKey, "alarm", "READ", "{\"triggerName\":\"/_/every5\"}")
                .body()
                .path("response")
                .path("result")
                .path("status")
                .path("active")
                .asBoolean())
        .isTrue();
    // UPDATE with nothing to update, and an unknown lifecycle event
    assertThat(error(feed(alice, aliceKey, "alarm", "UPDATE", "{\"triggerName\":\"/_/every5\"}")))
        .contains("no updatable parameters were specified");
    assertThat(error(feed(alice, aliceKey, "alarm", "EXPLODE", "{\"triggerName\":\"/_/every5\"}")))
        .contains("unsupported lifecycleEvent 'EXPLODE'", "CREATE, READ, UPDATE, DELETE");

    assertThat(feed(alice, aliceKey, "alarm", "DELETE", "{\"triggerName\":\"/_/every5\"}").status())
        .isEqualTo(200);
    assertThat(server.alarms().count()).isZero();
    assertThat(error(feed(alice, aliceKey, "alarm", "READ", "{\"triggerName\":\"/_/every5\"}")))
        .contains("has no alarm");

    // the caller's key is in no activation record and in no file of the data directory
    String secret = aliceKey.substring(aliceKey.indexOf(':') + 1);
    ApiClient.Answer records = alice.get("/api/v1/namespaces/_/activations?docs=true&limit=50");
    assertThat(records.raw().body()).doesNotContain(secret);
    try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
            .as("data file %s", f)
            .doesNotContain(secret);
      }
    }
  }

  @Test
  void badParametersAnswerAnErrorNamingTheParameterAndTheExpectedForm() {
    assertThat(alice.put("/api/v1/namespaces/_/triggers/t", "{}").status()).isEqualTo(200);
    String past = Instant.now().minusSeconds(3600).toString();
    String future = Instant.now().plusSeconds(3600).toString();
    assertCreateRefused(
        "alarm",
        "{\"triggerName\":\"/_/t\",\"cron\":\"61 * * * *\"}",
        "cron pattern '61 * * * *' is not valid",
        "minute 0-59");
    assertCreateRefused(
        "alarm",
        "{\"triggerName\":\"/_/t\",\"cron\":\"every minute\"}",
        "cron pattern 'every minute' is not valid",
        "5 fields");
    assertCreateRefused("alarm", "{\"triggerName\":\"/_/t\"}", "missing the cron parameter");
    assertCreateRefused(
        "alarm",
        "{\"triggerName\":\"/_/t\",\"cron\":\"* * * *" + " *\",\"timezone\":\"Mars/Olympus\"}",
        "timezone parameter 'Mars/Olympus' is not a valid time zone");
    assertCreateRefused(
        "once",
        "{\"triggerName\":\"/_/t\",\"date\":\"" + past + "\"}",
        "date parameter '" + past + "' must be in the future");
    assertCreateRefused(
        "once",
        "{\"triggerName\":\"/_/t\",\"date\":\"next tuesday\"}",
        "date parameter 'next tuesday' is not a valid Date",
        "ISO 8601");
    assertCreateRefused(
        "once",
        "{\"triggerName\":\"/_/t\",\"date\":\"" + future + "\",\"deleteAfterFire\":\"maybe\"}",
        "deleteAfterFire parameter must be one of [false, true, rules]");
    assertCreateRefused(
        "interval",
        "{\"triggerName\":\"/_/t\",\"minutes\":0}",
        "the minutes parameter must be an integer greater than zero");
    assertCreateRefused(
        "interval",
        "{\"triggerName\":\"/_/t\",\"minutes\":-5}",
        "the minutes parameter must be an integer greater than zero");
    assertCreateRefused(
        "interval",
        "{\"triggerName\":\"/_/t\",\"minutes\":\"1.5\"}",
        "the minutes parameter must be an integer");
    assertCreateRefused(
        "interval",
        "{\"triggerName\":\"/_/t\",\"minutes\":1,\"startDate\":\""
            + future
            + "\",\"stopDate\":\""
            + future
            + "\"}",
        "stopDate parameter",
        "must be greater than the startDate parameter");
    assertCreateRefused(
        "alarm",
        "{\"triggerName\":\"/_/t\",\"cron\":\"* * * * *\",\"trigger_payload\":[1,2]}",
        "trigger_payload parameter must be a JSON object or a string");
    assertCreateRefused(
        "alarm", "{\"cron\":\"* * * * *\"}", "no trigger name parameter was provided");
    assertCreateRefused(
        "alarm",
        "{\"triggerName\":\"/_/nosuch\",\"cron\":\"* * * * *\"}",
        "there is no trigger '/alice/nosuch'");
    // nothing was half-made: no alarm, the trigger (made without the feed annotation) is kept
    assertThat(server.alarms().count()).isZero();
    assertThat(alice.get("/api/v1/namespaces/_/triggers/t").status()).isEqualTo(200);
  }

  @Test
  void aScheduleEverySecondIsRefusedWithTheMinimumInterval() {
    assertThat(alice.put("/api/v1/namespaces/_/triggers/t", "{}").status()).isEqualTo(200);
    assertCreateRefused(
        "alarm",
        "{\"triggerName\":\"/_/t\",\"cron\":\"* * * * * *\"}",
        "fires every 1 s",
        "at most once every 60 s",
        "alarms.min-interval-seconds");
    assertCreateRefused(
        "interval", "{\"triggerName\":\"/_/t\",\"seconds\":1}", "at most once every 60 s");
    // six fields with a fixed second fire once a minute: allowed
    assertThat(
            feed(
                    alice,
                    aliceKey,
                    "alarm",
                    "CREATE",
                    "{\"triggerName\":\"/_/t\",\"cron\":\"30 * * * * *\"}")
                .status())
        .isEqualTo(200);
  }

  @Test
  void anotherNamespacesTriggerIsRefused() {
    assertThat(alice.put("/api/v1/namespaces/_/triggers/mine", "{}").status()).isEqualTo(200);
    String key = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:x";
    String error =
        error(
            feed(
                mallory,
                key,
                "interval",
                "CREATE",
                "{\"triggerName\":\"/alice/mine\",\"minutes\":1}"));
    assertThat(error).contains("Trigger authentication request failed", "not in your namespace");
    assertThat(server.alarms().count()).isZero();
    // nor can mallory delete or read alice's alarm once it exists
    assertThat(
            feed(
                    alice,
                    aliceKey,
                    "interval",
                    "CREATE",
                    "{\"triggerName\":\"/_/mine\",\"minutes\":1}")
                .status())
        .isEqualTo(200);
    assertThat(error(feed(mallory, key, "interval", "DELETE", "{\"triggerName\":\"/alice/mine\"}")))
        .contains("Trigger authentication request failed");
    assertThat(error(feed(mallory, key, "interval", "READ", "{\"triggerName\":\"/alice/mine\"}")))
        .contains("Trigger authentication request failed");
    assertThat(server.alarms().count()).isOne();
  }

  @Test
  void aNamespaceCannotHaveMoreAlarmsThanTheCap() {
    for (int i = 0; i < CAP; i++) {
      assertThat(alice.put("/api/v1/namespaces/_/triggers/t" + i, "{}").status()).isEqualTo(200);
      assertThat(
              feed(
                      alice,
                      aliceKey,
                      "interval",
                      "CREATE",
                      "{\"triggerName\":\"/_/t" + i + "\",\"minutes\":5}")
                  .status())
          .isEqualTo(200);
    }
    assertThat(alice.put("/api/v1/namespaces/_/triggers/one-more", "{}").status()).isEqualTo(200);
    assertCreateRefused(
        "interval",
        "{\"triggerName\":\"/_/one-more\",\"minutes\":5}",
        "has " + CAP + " alarms",
        "alarms.max-per-namespace");
    // another namespace is not affected
    assertThat(mallory.put("/api/v1/namespaces/_/triggers/m", "{}").status()).isEqualTo(200);
    assertThat(
            feed(mallory, "k", "interval", "CREATE", "{\"triggerName\":\"/_/m\",\"minutes\":5}")
                .status())
        .isEqualTo(200);
    // deleting a trigger deletes its alarm and frees a place
    assertThat(alice.delete("/api/v1/namespaces/_/triggers/t0").status()).isEqualTo(200);
    assertThat(
            feed(
                    alice,
                    aliceKey,
                    "interval",
                    "CREATE",
                    "{\"triggerName\":\"/_/one-more\",\"minutes\":5}")
                .status())
        .isEqualTo(200);
    assertThat(server.alarms().count()).isEqualTo(CAP + 1);
  }

  @Test
  void aHugePayloadIsRefusedByTheBodyLimit() {
    assertThat(alice.put("/api/v1/namespaces/_/triggers/t", "{}").status()).isEqualTo(200);
    String big = "x".repeat(1_100_000);
    ApiClient.Answer a =
        feed(
            alice,
            aliceKey,
            "interval",
            "CREATE",
            "{\"triggerName\":\"/_/t\",\"minutes\":5,\"trigger_payload\":{\"big\":\""
                + big
                + "\"}}");
    assertThat(a.status()).isEqualTo(413);
    assertThat(server.alarms().count()).isZero();
  }

  @Test
  void aFailedCreateLeavesNoTriggerMadeForTheFeed() {
    // as wsk trigger create --feed makes it: the trigger first, annotated with the feed
    assertThat(
            alice
                .put(
                    "/api/v1/namespaces/_/triggers/broken",
                    "{\"annotations\":[{\"key\":\"feed\",\"value\":\"/whisk.system/alarms/alarm\"}]}")
                .status())
        .isEqualTo(200);
    assertCreateRefused(
        "alarm",
        "{\"triggerName\":\"/_/broken\",\"cron\":\"bad\"}",
        "cron pattern 'bad' is not valid",
        "was deleted");
    assertThat(alice.get("/api/v1/namespaces/_/triggers/broken").status()).isEqualTo(404);
    assertThat(server.alarms().count()).isZero();
  }

  @Test
  void anAlarmsFiresCountAgainstTheNamespacesFireLimit() {
    server.identities().setLimits("alice", new NamespaceLimits(null, null, 1));
    assertThat(
            alice
                .put(
                    "/api/v1/namespaces/_/actions/noop",
                    "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p) { return p"
                        + " }\"}}")
                .status())
        .isEqualTo(200);
    assertThat(alice.put("/api/v1/namespaces/_/triggers/t", "{}").status()).isEqualTo(200);
    assertThat(
            alice
                .put("/api/v1/namespaces/_/rules/r", "{\"trigger\":\"t\",\"action\":\"noop\"}")
                .status())
        .isEqualTo(200);
    assertThat(
            feed(alice, aliceKey, "interval", "CREATE", "{\"triggerName\":\"/_/t\",\"minutes\":5}")
                .status())
        .isEqualTo(200);
    // two fires of the alarm (as Quartz calls them) within the minute: the second is over the limit
    Date next = new Date(System.currentTimeMillis() + 300_000);
    server.alarms().fire("alice/t", next);
    server.alarms().fire("alice/t", next);
    assertThat(server.alarms().fires()).isEqualTo(1);
    assertThat(server.alarms().refusedFires()).isEqualTo(1);
    // and the user's own fire shares the same limit
    assertThat(alice.post("/api/v1/namespaces/_/triggers/t", "{}").status()).isEqualTo(429);
    long triggerRecords = 0;
    for (JsonNode r : alice.get("/api/v1/namespaces/_/activations?limit=50").body()) {
      if (r.path("name").asText().equals("t")) {
        triggerRecords++;
      }
    }
    assertThat(triggerRecords).isEqualTo(1);
  }
}

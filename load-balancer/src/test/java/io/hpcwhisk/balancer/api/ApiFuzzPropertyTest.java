package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.invoke.FakeDispatcher;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.awaitility.Awaitility;

/**
 * Fuzzes every API path of a real server over real HTTP with random, deep (up to 100,000 levels),
 * large and malformed bodies, names and query strings. Invariants: every answer is JSON, a refusal
 * is {@code {"error","code"}} with a 4xx status (never a 5xx), a refusal changes no entity, and
 * after a restart on the same data directory every activation the server accepted reads back.
 *
 * <p>Each try starts a server on a fresh data directory, sends a few dozen requests, restarts it
 * and checks; the tries are bounded to keep the run near a minute on two loaded cores.
 */
class ApiFuzzPropertyTest {

  private static final String[] COLLECTIONS = {
    "actions", "packages", "triggers", "rules", "activations", "limits", "x"
  };

  /**
   * Jetty-level refusals of malformed URIs ({@code %2e%2e}, {@code %2F}, NUL) are H5's (issue 21,
   * item 9).
   */
  private static final String[] NAMESPACES = {
    "_", "guest", "bob", "whisk.system", "-ns", "ns with space"
  };

  private static final String[] QUERIES = {
    "",
    "?blocking=true",
    "?blocking=true&result=true",
    "?overwrite=true",
    "?limit=5&skip=1",
    "?limit=-1",
    "?skip=abc",
    "?count=true",
    "?docs=true&since=0&upto=99999999999999",
    "?blocking=maybe",
    "?code=false",
    "?name=x",
    "?timeout=1"
  };

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static ServerConfig config(Path data) {
    return ServerConfig.DEFAULT
        .withApi(
            new ServerConfig.Api(
                "127.0.0.1", 0, true, "none", 2, null, 100_000, 1_000, 100_000, null, 0))
        .withStore(ServerConfig.DEFAULT.store().withDataDir(data.toString()));
  }

  private record Answer(int status, String body) {}

  private Answer send(String base, String method, String path, byte[] body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Content-Type", "application/json")
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString(Identity.GUEST.authKey().getBytes(StandardCharsets.UTF_8)));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  private static String pick(Random random, String... options) {
    return options[random.nextInt(options.length)];
  }

  private static String name(Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> "a";
      case 1 -> "b";
      case 2 -> "p";
      case 3 -> "x".repeat(1 + random.nextInt(300));
      case 4 -> "ü✓ name";
      case 5 -> "a.b";
      case 6 -> "-bad";
      default -> "n" + random.nextInt(5);
    };
  }

  private static String nested(Random random, int depth) {
    StringBuilder out = new StringBuilder(depth * 6);
    boolean array = random.nextBoolean();
    for (int i = 1; i < depth; i++) {
      out.append(array ? "[" : "{\"a\":");
    }
    out.append(random.nextBoolean() ? "{}" : "1");
    for (int i = 1; i < depth; i++) {
      out.append(array ? "]" : "}");
    }
    return out.toString();
  }

  private static int depth(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> 1 + random.nextInt(199);
      case 1 -> 195 + random.nextInt(10);
      case 2 -> 990 + random.nextInt(15);
      default -> 1 + random.nextInt(100_000);
    };
  }

  private static byte[] body(Random random) {
    String json =
        switch (random.nextInt(12)) {
          case 0 -> null;
          case 1 -> "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return p}\"}}";
          case 2 ->
              "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"x\"},\"parameters\":[{\"key\":\"k\",\"value\":"
                  + nested(random, depth(random))
                  + "}]}";
          case 3 -> "{\"p\":" + nested(random, depth(random)) + "}";
          case 4 -> nested(random, depth(random));
          case 5 -> "{\"s\":\"" + "y".repeat(random.nextInt(1_500_000)) + "\"}";
          case 6 -> "{\"n\":" + "9".repeat(1 + random.nextInt(2_000)) + "}";
          case 7 -> "{\"trigger\":\"/_/t\",\"action\":\"/_/a\"}";
          case 8 -> "{\"exec\":{\"kind\":\"sequence\",\"components\":[\"/_/a\",\"/_/a\"]}}";
          case 9 ->
              "{\"exec\":" + random.nextInt() + ",\"limits\":{\"timeout\":\"x\"},\"publish\":3}";
          case 10 -> "{\"a\":[1,2,{\"b\":\"\\ud800\"}]".substring(0, 1 + random.nextInt(24));
          default -> null;
        };
    if (json == null) {
      if (random.nextBoolean()) {
        return null;
      }
      byte[] junk = new byte[random.nextInt(2_000)];
      random.nextBytes(junk);
      return junk;
    }
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Every entity of the guest namespace, as the API lists it: what a refusal must leave unchanged.
   */
  private String entities(String base) throws Exception {
    StringBuilder out = new StringBuilder();
    for (String c : new String[] {"actions", "packages", "triggers", "rules"}) {
      Answer a = send(base, "GET", "/api/v1/namespaces/_/" + c + "?limit=200", null);
      assertThat(a.status()).isEqualTo(200);
      out.append(a.body());
    }
    return out.toString();
  }

  @Property(tries = 8, seed = "21")
  void everyAnswerIsJsonARefusalChangesNothingAndAcceptedActivationsSurviveARestart(
      @ForAll Random random) throws Exception {
    Path data = Files.createTempDirectory("hpcw-fuzz");
    List<String> accepted = new ArrayList<>();
    WhiskServer server =
        WhiskServer.start(config(data), (clock, host) -> new FakeDispatcher(), "fuzz");
    try {
      String base = "http://127.0.0.1:" + server.address().getPort();
      send(
          base,
          "PUT",
          "/api/v1/namespaces/_/actions/a",
          "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return p}\"}}"
              .getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < 40; i++) {
        String method = pick(random, "GET", "PUT", "POST", "DELETE", "POST", "PUT");
        String ns = random.nextInt(4) == 0 ? pick(random, NAMESPACES) : "_";
        String collection =
            random.nextInt(6) == 0
                ? pick(random, COLLECTIONS)
                : pick(
                    random, "actions", "actions", "triggers", "rules", "packages", "activations");
        String path = "/api/v1/namespaces/" + ns.replace(" ", "%20") + "/" + collection;
        if (random.nextInt(5) != 0) {
          path += "/" + URLEncoder.encode(name(random), StandardCharsets.UTF_8).replace("+", "%20");
        }
        path += pick(random, QUERIES);
        byte[] body = body(random);
        String before = entities(base);
        String request = method + " " + path + " (" + (body == null ? 0 : body.length) + " bytes)";
        Answer a;
        try {
          a = send(base, method, path, body);
        } catch (IOException e) {
          // Known, and H5's (Jetty connectors, issue 21 items 2 and 9): a request refused before
          // its body is
          // read (a method the path does not take: 405) is answered while the client still sends a
          // large body,
          // and Jetty closes the connection, so java.net.http sees no answer. Only that case is let
          // through
          // (a large body), and it must have changed nothing.
          if (body == null || body.length < 65_536) {
            throw new AssertionError(request + " got no answer: " + e, e);
          }
          assertThat(entities(base)).as("a refusal changes nothing: " + request).isEqualTo(before);
          continue;
        }
        String what =
            method
                + " "
                + path
                + " ("
                + (body == null ? 0 : body.length)
                + " bytes) -> "
                + a.status()
                + " "
                + a.body().substring(0, Math.min(300, a.body().length()));
        assertThat(a.status()).as(what).isLessThan(500);
        JsonNode answer = a.body().isEmpty() ? null : Json.MAPPER.readTree(a.body());
        if (a.status() >= 400) {
          assertThat(answer).as(what).isNotNull();
          assertThat(answer.path("error").isTextual()).as(what).isTrue();
          assertThat(answer.path("code").isTextual()).as(what).isTrue();
          assertThat(answer.path("error").asText())
              .as(what)
              .doesNotContain("StreamReadConstraints")
              .doesNotContain("com.fasterxml");
          assertThat(entities(base)).as("a refusal changes nothing: " + what).isEqualTo(before);
        } else if (answer != null && answer.path("activationId").isTextual()) {
          accepted.add(answer.path("activationId").asText());
        }
      }
      // every accepted activation ends (the fake executor echoes) before the stop, so none is left
      // re-runnable
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (String id : accepted) {
                  if (send(base, "GET", "/api/v1/namespaces/_/activations/" + id, null).status()
                      != 200) {
                    return false;
                  }
                }
                return true;
              });
    } finally {
      server.close();
    }
    WhiskServer again =
        WhiskServer.start(config(data), (clock, host) -> new FakeDispatcher(), "fuzz");
    try {
      String base = "http://127.0.0.1:" + again.address().getPort();
      assertThat(
              send(base, "GET", "/api/v1/namespaces/_/activations?limit=200&docs=true", null)
                  .status())
          .isEqualTo(200);
      for (String id : accepted) {
        assertThat(send(base, "GET", "/api/v1/namespaces/_/activations/" + id, null).status())
            .as(id)
            .isEqualTo(200);
      }
    } finally {
      again.close();
    }
  }
}

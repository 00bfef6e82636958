package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.entity.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A plain java.net.http client for the API tests: every call returns status, headers and JSON body.
 */
public final class ApiClient {

  public record Answer(int status, JsonNode body, HttpResponse<String> raw) {
    public String error() {
      return body == null ? null : body.path("error").asText(null);
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String key;
  private final String auth;

  public ApiClient(String base, String key) {
    this.base = base;
    this.key = key;
    this.auth =
        key == null
            ? null
            : "Basic " + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  public ApiClient as(String otherKey) {
    return new ApiClient(base, otherKey);
  }

  /** The same credentials against another server. */
  public ApiClient at(String otherBase) {
    return new ApiClient(otherBase, key);
  }

  public Answer get(String path) {
    return send("GET", path, null, null);
  }

  public Answer put(String path, String body) {
    return send("PUT", path, body, null);
  }

  public Answer post(String path, String body) {
    return send("POST", path, body, null);
  }

  public Answer delete(String path) {
    return send("DELETE", path, null, null);
  }

  public Answer send(String method, String path, String body, String requestId) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(90))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (auth != null) {
      b.header("Authorization", auth);
    }
    if (requestId != null) {
      b.header("X-Request-ID", requestId);
    }
    try {
      HttpResponse<String> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException stale) {
        // a kept-alive connection the server had closed just before this request reused it (the
        // JDK retries only GET by itself): an idempotent request is sent once more, as HTTP allows
        if (method.equals("POST") || !String.valueOf(stale.getMessage()).contains("no bytes")) {
          throw stale;
        }
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      }
      JsonNode node =
          r.body() == null || r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
      return new Answer(r.statusCode(), node, r);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

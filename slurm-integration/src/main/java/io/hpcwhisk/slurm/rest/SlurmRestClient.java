package io.hpcwhisk.slurm.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.slurm.SlurmAccessException;
import io.hpcwhisk.slurm.SlurmAccessException.Reason;
import io.hpcwhisk.slurm.cli.SlurmCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small client of Slurm's REST API ({@code slurmrestd}) over {@link java.net.http.HttpClient}:
 * GET, POST and DELETE under {@code /slurm/VERSION/} with the user name and the token of a {@link
 * TokenFile}; the version it learns ({@link #VERSIONS}), its bounds ({@link #MAX_DEPTH}) and
 * failures ({@link SlurmAccessException} with its {@link Reason}, naming the URL, never the token)
 * are stated in docs/admin-guide.md §4, "Slurm over slurmrestd".
 */
public final class SlurmRestClient {

  /** The data_parser versions spoken, newest first (Slurm 24.05–26.05 serve one of them). */
  public static final List<String> VERSIONS = List.of("v0.0.42", "v0.0.41");

  /** Slurm's own JSON is about 10 levels deep. */
  static final int MAX_DEPTH = 64;

  /** The default bound on one answer's size. */
  public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;

  private static final ObjectMapper MAPPER =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
              .build());

  private static final Pattern OFFERED = Pattern.compile("^/slurm/(v\\d+\\.\\d+\\.\\d+)/");

  private final URI base;
  private final String user;
  private final TokenFile token;
  private final Duration timeout;
  private final long maxBytes;
  private final SlurmCli.CallObserver observer;
  private final HttpClient http;
  private volatile String version;

  /**
   * @param base slurmrestd's URL, e.g. {@code http://127.0.0.1:6820}
   * @param user the Slurm user the token belongs to ({@code X-SLURM-USER-NAME})
   * @param token the token file
   * @param timeout the most one exchange may take
   * @param maxBytes the largest answer read
   * @param observer told about every call ({@code rest GET nodes}, latency, outcome)
   */
  public SlurmRestClient(
      URI base,
      String user,
      TokenFile token,
      Duration timeout,
      long maxBytes,
      SlurmCli.CallObserver observer) {
    this.base = Objects.requireNonNull(base, "base");
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
      throw new IllegalArgumentException(
          "slurm.rest.url must be an http:// or https:// URL, got '" + base + "'");
    }
    this.user = Objects.requireNonNull(user, "user");
    this.token = Objects.requireNonNull(token, "token");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.maxBytes = maxBytes;
    this.observer = Objects.requireNonNull(observer, "observer");
    this.http =
        HttpClient.newBuilder()
            // slurmrestd speaks HTTP/1.1 and answers the client's h2c upgrade request with a
            // header java.net.http cannot parse (seen on 24.11.5)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  public URI base() {
    return base;
  }

  /** The data_parser version in use, once a call found it. */
  public Optional<String> version() {
    return Optional.ofNullable(version);
  }

  /** {@code GET /slurm/VERSION/path}. */
  public JsonNode get(String path) {
    return call("GET", path, null);
  }

  /**
   * {@code GET /slurm/VERSION/path?update_time=SINCE}: empty when slurmctld reports no change since
   * {@code since} (its own {@code last_update} of an earlier answer): HTTP 304 without a body
   * ({@code /nodes} on 24.11), or an empty list with the warning "No … changes since update_time"
   * ({@code /jobs} on 24.11); otherwise the whole answer, as {@link #get(String)}. A server error
   * (5xx) to the incremental request is answered by a whole read: slurmrestd 24.11 answers {@code
   * /nodes?update_time} with 500 "Unable to query partitions" on some unchanged clusters.
   *
   * @param listField the answer's list ({@code jobs}, {@code nodes})
   */
  public Optional<JsonNode> getChangedSince(String path, String listField, long since) {
    String known = version;
    String v = known != null ? known : null;
    if (v == null) {
      return Optional.of(get(path)); // learn the version first, with a plain read
    }
    Answer answer = exchange("GET", v, path + "?update_time=" + since, null);
    if (answer.status == 304) {
      return Optional.empty();
    }
    if (answer.status == 404 && !answer.slurmAnswered()) {
      version = null;
      return Optional.of(get(path));
    }
    if (answer.status >= 500) {
      // slurmrestd 24.11 may fail an incremental read it could answer whole ("Unable to query
      // partitions" for /nodes?update_time when the nodes did not change): read it whole instead
      return Optional.of(get(path));
    }
    JsonNode root = answer.checked("GET", v, path);
    boolean unchanged =
        root.path(listField).isArray()
            && root.path(listField).isEmpty()
            && root.path("warnings").toString().contains("changes since update_time");
    return unchanged ? Optional.empty() : Optional.of(root);
  }

  /** {@code POST /slurm/VERSION/path} with a JSON body. */
  public JsonNode post(String path, JsonNode body) {
    return call("POST", path, body);
  }

  /** {@code DELETE /slurm/VERSION/path}. */
  public JsonNode delete(String path) {
    return call("DELETE", path, null);
  }

  private JsonNode call(String method, String path, JsonNode body) {
    String known = version;
    List<String> tried = new ArrayList<>();
    for (String v : known != null ? List.of(known) : VERSIONS) {
      Answer answer = exchange(method, v, path, body);
      if (answer.status == 404 && !answer.slurmAnswered()) {
        tried.add(v);
        version = null;
        continue;
      }
      version = v;
      return answer.checked(method, v, path);
    }
    throw unknownVersion(tried);
  }

  private SlurmAccessException unknownVersion(List<String> tried) {
    String offered = "";
    try {
      Answer spec = exchangeUri("GET", base.resolve("/openapi/v3"), null, "openapi");
      if (spec.status == 200) {
        JsonNode root = spec.json();
        TreeSet<String> versions = new TreeSet<>();
        root.path("paths")
            .fieldNames()
            .forEachRemaining(
                p -> {
                  Matcher m = OFFERED.matcher(p);
                  if (m.find()) {
                    versions.add(m.group(1));
                  }
                });
        String info = root.path("info").path("version").asText("");
        offered =
            versions.isEmpty()
                ? ""
                : "; it offers data_parser "
                    + String.join(", ", versions)
                    + (info.isEmpty() ? "" : " (" + info + ")");
      }
    } catch (SlurmAccessException e) {
      offered = "";
    }
    return new SlurmAccessException(
        Reason.VERSION,
        "slurmrestd at "
            + base
            + " serves none of the data_parser versions this HPC-Whisk speaks ("
            + String.join(", ", tried)
            + " answered HTTP 404)"
            + offered
            + ": Slurm's REST API of another version; use slurm.access: cli or a Slurm with"
            + " data_parser v0.0.41 or v0.0.42 (24.05-26.05)");
  }

  private Answer exchange(String method, String v, String path, JsonNode body) {
    return exchangeUri(method, base.resolve("/slurm/" + v + "/" + path), body, method + " " + path);
  }

  private Answer exchangeUri(String method, URI uri, JsonNode body, String what) {
    String secret = token.token();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Accept", "application/json")
            .header("X-SLURM-USER-NAME", user)
            .header("X-SLURM-USER-TOKEN", secret);
    if (body != null) {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    String command = "rest " + what.replaceAll("[/?].*", "");
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<byte[]>> future =
        http.sendAsync(request.build(), info -> new BoundedBody(maxBytes));
    try {
      HttpResponse<byte[]> response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Answer answer = new Answer(uri, response.statusCode(), response.body());
      observer.called(command, Duration.ofNanos(System.nanoTime() - start), answer.status < 400);
      return answer;
    } catch (TimeoutException e) {
      future.cancel(true);
      observer.called(command, Duration.ofNanos(System.nanoTime() - start), false);
      throw new SlurmAccessException(
          Reason.TIMEOUT,
          method + " " + uri + " got no whole answer within " + timeout.toMillis() + " ms",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new SlurmAccessException(Reason.TIMEOUT, method + " " + uri + " interrupted", e);
    } catch (ExecutionException e) {
      observer.called(command, Duration.ofNanos(System.nanoTime() - start), false);
      Throwable cause = e.getCause();
      if (hasCause(cause, TooLarge.class)) {
        throw new SlurmAccessException(
            Reason.GARBAGE,
            method
                + " "
                + uri
                + ": the answer is larger than "
                + maxBytes
                + " bytes (slurm.rest.max-answer-bytes); not read further",
            cause);
      }
      if (cause instanceof HttpTimeoutException) {
        throw new SlurmAccessException(
            Reason.TIMEOUT,
            method + " " + uri + " got no answer within " + timeout.toMillis() + " ms",
            cause);
      }
      if (cause instanceof ConnectException || hasCause(cause, ConnectException.class)) {
        throw new SlurmAccessException(
            Reason.UNREACHABLE,
            "cannot reach slurmrestd at " + base + " (" + describe(cause) + ")",
            cause);
      }
      throw new SlurmAccessException(
          Reason.UNREACHABLE, method + " " + uri + " failed: " + describe(cause), cause);
    }
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** One HTTP answer. */
  private final class Answer {
    final URI uri;
    final int status;
    final byte[] body;
    private JsonNode json;

    Answer(URI uri, int status, byte[] body) {
      this.uri = uri;
      this.status = status;
      this.body = body;
    }

    /** Whether the body is Slurm's JSON (a 404 with Slurm's errors is a missing job, not path). */
    boolean slurmAnswered() {
      try {
        JsonNode root = json();
        return root.has("errors") || root.has("meta");
      } catch (SlurmAccessException e) {
        return false;
      }
    }

    JsonNode json() {
      if (json == null) {
        try {
          JsonNode root = MAPPER.readTree(body);
          if (root == null || !root.isObject()) {
            throw new SlurmAccessException(
                Reason.GARBAGE,
                "slurmrestd's answer to "
                    + uri
                    + " (HTTP "
                    + status
                    + ") is not a JSON object: "
                    + head());
          }
          json = root;
        } catch (JsonProcessingException e) {
          throw new SlurmAccessException(
              Reason.GARBAGE,
              "slurmrestd's answer to "
                  + uri
                  + " (HTTP "
                  + status
                  + ") is not JSON Slurm would send ("
                  + e.getOriginalMessage()
                  + "): "
                  + head(),
              e);
        } catch (IOException e) {
          throw new SlurmAccessException(
              Reason.GARBAGE, "cannot read slurmrestd's answer to " + uri + ": " + e, e);
        }
      }
      return json;
    }

    JsonNode checked(String method, String v, String path) {
      String errors = errors(true);
      boolean auth =
          status == 401
              || status == 403
              || status == 511 // 24.11.5 for a wrong or expired token
              || errors.contains("authentication error")
              || errors.contains("Authentication failure")
              || errors.contains("Invalid authentication")
              || errors.contains("Access/permission denied");
      if (auth) {
        throw new SlurmAccessException(
            Reason.AUTH,
            "slurmrestd at "
                + base
                + " refused the token of "
                + token.file()
                + " for user "
                + user
                + " (HTTP "
                + status
                + errors
                + "): expired or wrong; mint a new one with `scontrol token username="
                + user
                + "`");
      }
      JsonNode root = json();
      if (status >= 400 || !errors.isEmpty()) {
        boolean down =
            errors.contains("Unable to contact slurm controller")
                || errors.contains("connect failure")
                || errors.contains("Socket timed out");
        throw new SlurmAccessException(
            down ? Reason.UNREACHABLE : Reason.FAILED,
            method
                + " "
                + uri
                + " failed (HTTP "
                + status
                + (errors.isEmpty() ? "" : errors)
                + ")"
                + (down ? ": slurmctld is not answering slurmrestd" : ""));
      }
      String parser = root.path("meta").path("plugin").path("data_parser").asText("");
      if (!parser.isEmpty() && !parser.endsWith("/" + v)) {
        throw new SlurmAccessException(
            Reason.VERSION,
            "slurmrestd answered "
                + uri
                + " with "
                + parser
                + ", not data_parser/"
                + v
                + " as asked");
      }
      return root;
    }

    /** {@code ; errors: description (error), …} from Slurm's error list, or empty. */
    String errors(boolean unused) {
      JsonNode root;
      try {
        root = json();
      } catch (SlurmAccessException e) {
        return "";
      }
      List<String> out = new ArrayList<>();
      for (JsonNode e : root.path("errors")) {
        String description = e.path("description").asText("");
        String error = e.path("error").asText("");
        String text =
            description.isEmpty()
                ? error
                : error.isEmpty() ? description : description + " (" + error + ")";
        if (!text.isEmpty()) {
          out.add(text);
        }
      }
      return out.isEmpty() ? "" : "; errors: " + String.join("; ", out);
    }

    private String head() {
      String t = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8).strip();
      t = t.replaceAll("\\s+", " ");
      return "'" + t + (body.length > 120 ? "…'" : "'");
    }
  }

  /** The body as bytes, refused once it grows past its bound. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final long max;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedBody(long max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (bytes.size() + (long) b.remaining() > max) {
          result.completeExceptionally(new TooLarge());
          subscription.cancel();
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }
  }

  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("answer too large");
    }
  }
}

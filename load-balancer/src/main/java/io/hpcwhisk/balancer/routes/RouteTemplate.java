package io.hpcwhisk.balancer.routes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.URIUtil;

/**
 * A route's relative path such as {@code /books/{id}}: literal segments and whole-segment
 * parameters. Matching is segment by segment on the still percent-encoded request path (each
 * segment decoded on its own); a template with more literal segments wins over one with parameters
 * at the same place.
 */
public record RouteTemplate(String text, List<String> segments) {

  /** Longest base or relative path accepted, in characters. */
  public static final int MAX_PATH_CHARS = 512;

  /** Most segments of a base or relative path. */
  public static final int MAX_SEGMENTS = 16;

  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~!$&'()*+,=:@-]+");
  private static final Pattern PARAM = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]{0,63})}");

  public RouteTemplate {
    segments = List.copyOf(segments);
  }

  /**
   * Parses a relative path ({@code /}, {@code /books}, {@code /books/{id}}); throws {@link
   * IllegalArgumentException} with a message naming the bad value and what was expected.
   */
  public static RouteTemplate parse(String relPath) {
    List<String> segments = split(relPath, "relative path", true);
    return new RouteTemplate(relPath, segments);
  }

  /**
   * Checks a base path ({@code /bookstore}, {@code /v1/shop}; no parameters, not {@code /} alone)
   * and returns it without a trailing slash.
   */
  public static String checkBasePath(String basePath) {
    List<String> segments = split(basePath, "base path", false);
    if (segments.isEmpty()) {
      throw new IllegalArgumentException(
          "The base path '/' is not allowed: give a path such as /bookstore.");
    }
    return "/" + String.join("/", segments);
  }

  private static List<String> split(String path, String what, boolean params) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("The " + what + " is missing; expected e.g. /books.");
    }
    if (path.length() > MAX_PATH_CHARS) {
      throw new IllegalArgumentException(
          "The "
              + what
              + " is longer than allowed: "
              + path.length()
              + " > "
              + MAX_PATH_CHARS
              + " characters.");
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(
          "The " + what + " '" + path + "' must start with '/', e.g. /books.");
    }
    String body = path.substring(1);
    if (body.endsWith("/")) {
      body = body.substring(0, body.length() - 1);
    }
    if (body.isEmpty()) {
      return List.of();
    }
    String[] parts = body.split("/", -1);
    if (parts.length > MAX_SEGMENTS) {
      throw new IllegalArgumentException(
          "The "
              + what
              + " '"
              + path
              + "' has more segments than allowed: "
              + parts.length
              + " > "
              + MAX_SEGMENTS
              + ".");
    }
    List<String> names = new ArrayList<>();
    for (String s : parts) {
      if (params && PARAM.matcher(s).matches()) {
        String name = s.substring(1, s.length() - 1);
        if (names.contains(name)) {
          throw new IllegalArgumentException(
              "The " + what + " '" + path + "' names the path parameter {" + name + "} twice.");
        }
        names.add(name);
        continue;
      }
      if (s.isEmpty() || s.equals(".") || s.equals("..") || !LITERAL.matcher(s).matches()) {
        throw new IllegalArgumentException(
            "The "
                + what
                + " '"
                + path
                + "' has an illegal segment '"
                + s
                + "': expected letters, digits or -._~!$&'()*+,=:@"
                + (params ? ", or a parameter such as {id}" : "")
                + ".");
      }
    }
    return List.of(parts);
  }

  /** The names of the path parameters, in order. */
  public List<String> parameters() {
    List<String> out = new ArrayList<>();
    for (String s : segments) {
      if (isParam(s)) {
        out.add(s.substring(1, s.length() - 1));
      }
    }
    return out;
  }

  /** How many segments are literal: the more, the more specific. */
  public int literals() {
    return (int) segments.stream().filter(s -> !isParam(s)).count();
  }

  private static boolean isParam(String segment) {
    return segment.startsWith("{");
  }

  /**
   * The parameter values when {@code rawSegments} (the request's path after the base path, split at
   * {@code /}, still percent-encoded) fits this template; empty otherwise.
   */
  public Optional<Map<String, String>> match(List<String> rawSegments) {
    if (rawSegments.size() != segments.size()) {
      return Optional.empty();
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < segments.size(); i++) {
      String raw = rawSegments.get(i);
      String decoded = decode(raw);
      if (decoded == null || decoded.isEmpty()) {
        return Optional.empty();
      }
      String t = segments.get(i);
      if (isParam(t)) {
        values.put(t.substring(1, t.length() - 1), decoded);
      } else if (!t.equals(decoded)) {
        return Optional.empty();
      }
    }
    return Optional.of(values);
  }

  /**
   * The request path's segments after the base path: {@code /books/42/} → [books, 42]; empty list
   * for {@code /} or nothing; null when an empty segment ({@code //}) is in the middle.
   */
  public static List<String> rawSegments(String rest) {
    String body = rest.startsWith("/") ? rest.substring(1) : rest;
    if (body.endsWith("/")) {
      body = body.substring(0, body.length() - 1);
    }
    if (body.isEmpty()) {
      return List.of();
    }
    List<String> out = List.of(body.split("/", -1));
    return out.contains("") ? null : out;
  }

  private static String decode(String segment) {
    try {
      return URIUtil.decodePath(segment);
    } catch (RuntimeException e) {
      return null;
    }
  }
}

package io.hpcwhisk.balancer.web;

import io.hpcwhisk.balancer.entity.EntityPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.util.URIUtil;

/**
 * A parsed web action URL: {@code /api/v1/web/{namespace}/{package|default}/{action}[.ext][/rest]}.
 * The extension picks the response's media type ({@code .http} when there is none, as OpenWhisk);
 * {@code rest} is what follows the action's segment ({@code __ow_path}, and the projection for
 * {@code .json}, {@code .html}, {@code .svg} and {@code .text}).
 */
public record WebPath(EntityPath action, Extension extension, String rest) {

  /** The URL prefix of web actions. */
  public static final String PREFIX = "/api/v1/web/";

  /** The response media types a web action URL can ask for. */
  public enum Extension {
    HTTP(".http"),
    JSON(".json"),
    HTML(".html"),
    SVG(".svg"),
    TEXT(".text");

    private final String suffix;

    Extension(String suffix) {
      this.suffix = suffix;
    }

    public String suffix() {
      return suffix;
    }
  }

  /**
   * Parses the raw (still percent-encoded) path of a request under {@link #PREFIX}; empty when it
   * does not name an action with legal names (each segment is decoded on its own, so {@code %2F}
   * cannot split or join names, and {@code .}/{@code ..} are not legal names).
   */
  public static Optional<WebPath> parse(String rawPath) {
    if (rawPath == null || !rawPath.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String tail = rawPath.substring(PREFIX.length());
    String[] parts = tail.split("/", 4);
    if (parts.length < 3) {
      return Optional.empty();
    }
    String namespace = decode(parts[0]);
    String pkg = decode(parts[1]);
    String last = decode(parts[2]);
    String rest = parts.length == 4 ? "/" + parts[3] : "";
    if (namespace == null || pkg == null || last == null) {
      return Optional.empty();
    }
    Extension extension = Extension.HTTP;
    String name = last;
    for (Extension e : Extension.values()) {
      if (last.endsWith(e.suffix()) && last.length() > e.suffix().length()) {
        extension = e;
        name = last.substring(0, last.length() - e.suffix().length());
        break;
      }
    }
    if (!EntityPath.isLegalName(namespace)
        || !EntityPath.isLegalName(name)
        || !(pkg.equals("default") || EntityPath.isLegalName(pkg))) {
      return Optional.empty();
    }
    EntityPath action =
        pkg.equals("default")
            ? EntityPath.of(namespace, name)
            : new EntityPath(namespace, pkg, name);
    return Optional.of(new WebPath(action, extension, rest));
  }

  /** The projection path's field names ({@code /a/b} → a, b), each percent-decoded. */
  public List<String> projection() {
    List<String> out = new ArrayList<>();
    for (String s : rest.split("/")) {
      if (!s.isEmpty()) {
        String d = decode(s);
        out.add(d == null ? s : d);
      }
    }
    return out;
  }

  private static String decode(String segment) {
    if (segment.isEmpty()) {
      return null;
    }
    try {
      return URIUtil.decodePath(segment);
    } catch (RuntimeException e) {
      return null;
    }
  }
}

package io.hpcwhisk.balancer.web;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which media types carry text and which carry bytes, as far as web actions care: request bodies of
 * binary types reach the action as base64, response bodies of binary types are base64-decoded
 * (OpenWhisk decides the same way, through its HTTP library's media type table).
 */
final class MediaTypes {

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Set<String> TEXT_APPLICATION =
      Set.of(
          "application/javascript",
          "application/x-javascript",
          "application/ecmascript",
          "application/xml",
          "application/xhtml+xml",
          "application/x-www-form-urlencoded",
          "application/graphql",
          "application/soap+xml",
          "application/rss+xml",
          "application/atom+xml");

  private MediaTypes() {}

  /**
   * The media type of a Content-Type value ({@code type/subtype}, lower case, parameters dropped),
   * or null when it is not of that form.
   */
  static String of(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    String mt = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    int slash = mt.indexOf('/');
    if (slash <= 0
        || !TOKEN.matcher(mt.substring(0, slash)).matches()
        || !TOKEN.matcher(mt.substring(slash + 1)).matches()) {
      return null;
    }
    return mt.toLowerCase(Locale.ROOT);
  }

  static boolean isJsonFamily(String mediaType) {
    return mediaType != null
        && (mediaType.equals("application/json") || mediaType.endsWith("+json"));
  }

  /** Text types: {@code text/*}, the JSON family, XML and the script and form types. */
  static boolean isText(String mediaType) {
    return mediaType != null
        && (mediaType.startsWith("text/")
            || isJsonFamily(mediaType)
            || mediaType.endsWith("+xml")
            || TEXT_APPLICATION.contains(mediaType));
  }

  /** True for the types whose {@code charset} OpenWhisk adds when the action gave none. */
  static boolean takesCharset(String mediaType) {
    return isText(mediaType) && !isJsonFamily(mediaType);
  }
}

package io.hpcwhisk.runtime.container;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which image names a container action may ask for. Images come from the node's own store (or the
 * administrator's image directory), never from the internet, so a reference is refused when it: is
 * longer than 255 characters; has anything but lower-case letters, digits and {@code . _ - /} in
 * its name, or a tag other than {@code :[A-Za-z0-9_.-]{1,128}} (no digests, blanks, shell syntax);
 * starts with {@code -} (an engine option such as {@code --privileged}); or names a registry host
 * other than {@code localhost} (a first path part with a dot or a port, e.g. {@code
 * docker.io/library/python} or {@code registry.example.org:5000/x}).
 *
 * <p>Example: {@code hpcwhisk/python-action:1} and {@code localhost/tools:2024} are accepted;
 * {@code --privileged}, {@code alpine;id} and {@code quay.io/x/y} are refused, each with the
 * reason.
 */
public final class ImageReference {

  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.-]+:[0-9]+");

  private ImageReference() {}

  /** Why {@code image} is refused, or empty when it may be run. */
  public static Optional<String> check(String image) {
    if (image == null || image.isBlank()) {
      return Optional.of("the image name is empty");
    }
    if (image.length() > 255) {
      return Optional.of("the image name is longer than 255 characters");
    }
    if (image.startsWith("-")) {
      return Optional.of("an image name must not start with '-'");
    }
    String first = image.contains("/") ? image.substring(0, image.indexOf('/')) : "";
    if (HOST_PORT.matcher(first).matches() || (first.contains(".") && !first.equals("localhost"))) {
      return Optional.of(
          "it names the registry '"
              + first
              + "'; images are never pulled here: they must be in this site's image store"
              + " (use the name without the registry)");
    }
    String name = image;
    String tag = null;
    int colon = image.lastIndexOf(':');
    if (colon > image.lastIndexOf('/')) {
      name = image.substring(0, colon);
      tag = image.substring(colon + 1);
    }
    if (!NAME.matcher(name).matches()) {
      return Optional.of(
          "the name may hold only lower-case letters, digits and . _ - / (as in"
              + " 'group/image:tag')");
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      return Optional.of("the tag may hold only letters, digits and _ . - (at most 128)");
    }
    return Optional.empty();
  }
}

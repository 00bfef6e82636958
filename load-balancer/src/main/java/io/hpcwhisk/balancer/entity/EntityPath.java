package io.hpcwhisk.balancer.entity;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A fully qualified entity name: a namespace, an optional package and a simple name, as in {@code
 * /guest/utils/echo}. Names follow OpenWhisk's rules: word characters, then word characters,
 * {@code @}, {@code .}, {@code -} or spaces, not ending in a space, at most 256 characters.
 */
public record EntityPath(String namespace, String pkg, String name) {

  static final int MAX_NAME_LENGTH = 256;
  private static final Pattern NAME = Pattern.compile("\\A([\\w]|[\\w][\\w@ .-]*[\\w@.-]+)\\z");

  public EntityPath {
    requireName(namespace, "namespace");
    if (pkg != null) {
      requireName(pkg, "package name");
    }
    requireName(name, "name");
  }

  /** An entity at the top level of a namespace. */
  public static EntityPath of(String namespace, String name) {
    return new EntityPath(namespace, null, name);
  }

  /** True when the value is a legal namespace, package or entity name. */
  public static boolean isLegalName(String value) {
    return value != null && value.length() <= MAX_NAME_LENGTH && NAME.matcher(value).matches();
  }

  /** Throws {@link IllegalEntityNameException} unless the value is a legal name. */
  public static String requireName(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw new IllegalEntityNameException("The " + what + " is missing.");
    }
    if (value.length() > MAX_NAME_LENGTH) {
      throw new IllegalEntityNameException(
          "The "
              + what
              + " is longer than allowed: "
              + value.length()
              + " > "
              + MAX_NAME_LENGTH
              + " characters.");
    }
    if (!NAME.matcher(value).matches()) {
      throw new IllegalEntityNameException(
          "namespace".equals(what)
              ? "The namespace contains illegal characters."
              : "The name of the entity contains illegal characters.");
    }
    return value;
  }

  /**
   * Parses {@code name}, {@code pkg/name}, {@code /ns/name} or {@code /ns/pkg/name}; a relative
   * name lives in {@code defaultNamespace}, and {@code _} as the namespace means the default one.
   */
  public static EntityPath parse(String value, String defaultNamespace) {
    if (value == null || value.isBlank()) {
      throw new IllegalEntityNameException("The entity name is missing.");
    }
    boolean absolute = value.startsWith("/");
    List<String> parts = List.of((absolute ? value.substring(1) : value).split("/", -1));
    if (absolute) {
      if (parts.size() < 2 || parts.size() > 3) {
        throw new IllegalEntityNameException(
            "The fully qualified name of the entity must contain at least the namespace and the"
                + " name of the entity.");
      }
      String ns = "_".equals(parts.get(0)) ? defaultNamespace : parts.get(0);
      return parts.size() == 2
          ? of(ns, parts.get(1))
          : new EntityPath(ns, parts.get(1), parts.get(2));
    }
    if (parts.size() == 1) {
      return of(defaultNamespace, parts.get(0));
    }
    if (parts.size() == 2) {
      return new EntityPath(defaultNamespace, parts.get(0), parts.get(1));
    }
    throw new IllegalEntityNameException("The entity name '" + value + "' has too many parts.");
  }

  /**
   * The namespace path the entity lives in: {@code ns} or {@code ns/pkg}, as OpenWhisk shows it.
   */
  public String namespacePath() {
    return pkg == null ? namespace : namespace + "/" + pkg;
  }

  /** The name inside the namespace: {@code name} or {@code pkg/name}. */
  public String relativeName() {
    return pkg == null ? name : pkg + "/" + name;
  }

  /** The path without leading slash, {@code ns/pkg/name}, as in the {@code path} annotation. */
  public String path() {
    return namespace + "/" + relativeName();
  }

  /** The absolute form {@code /ns/pkg/name}. */
  @Override
  public String toString() {
    return "/" + path();
  }
}

package io.hpcwhisk.balancer.entity;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What an action runs: a kind ({@code nodejs:20}, {@code python:3}, {@code java}, {@code blackbox},
 * {@code sequence}), its code (text, or base64 of a zip/jar when {@code binary}), the entry point
 * {@code main}, a container {@code image} for blackbox, or the {@code components} of a sequence
 * (fully qualified action names).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Exec(
    String kind, String code, Boolean binary, String main, String image, List<String> components) {

  public Exec {
    components = components == null ? null : List.copyOf(components);
  }

  /** The same exec without its code, as {@code GET ...?code=false} shows it. */
  public Exec withoutCode() {
    return new Exec(kind, null, binary, main, image, components);
  }

  public boolean isSequence() {
    return Kinds.SEQUENCE.equals(kind);
  }
}

package io.hpcwhisk.balancer.entity;

/**
 * The four kinds of named entity a namespace holds (they share one name space per namespace path),
 * and the API documents of its routes ({@link ApiDoc}, under a key no user entity can have).
 */
public sealed interface WhiskEntity permits Action, WhiskPackage, Trigger, Rule, ApiDoc {
  String namespace();

  String name();

  String version();

  /** When it was last written, in epoch milliseconds: listings show the newest first. */
  long updated();

  /** The collection name OpenWhisk uses in paths: actions, packages, triggers or rules. */
  default String collection() {
    if (this instanceof Action) {
      return "actions";
    }
    if (this instanceof WhiskPackage) {
      return "packages";
    }
    if (this instanceof ApiDoc) {
      return "apis";
    }
    return this instanceof Trigger ? "triggers" : "rules";
  }
}

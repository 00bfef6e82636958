package io.hpcwhisk.balancer.entity;

import java.util.List;

/**
 * A rule connecting a trigger to an action; {@code status} is {@code active} or {@code inactive}.
 * {@code trigger} and {@code action} are shown as OpenWhisk shows them: {@code {"name", "path"}}.
 */
public record Rule(
    String namespace,
    String name,
    String version,
    boolean publish,
    String status,
    Ref trigger,
    Ref action,
    List<KeyValue> annotations,
    long updated)
    implements WhiskEntity {

  public static final String ACTIVE = "active";
  public static final String INACTIVE = "inactive";

  public Rule {
    annotations = annotations == null ? List.of() : List.copyOf(annotations);
    if (!ACTIVE.equals(status) && !INACTIVE.equals(status)) {
      throw new IllegalArgumentException(
          "rule status must be 'active' or 'inactive', not '" + status + "'");
    }
  }

  public boolean isActive() {
    return ACTIVE.equals(status);
  }

  public Rule withStatus(String newStatus, long now) {
    return new Rule(
        namespace, name, version, publish, newStatus, trigger, action, annotations, now);
  }

  /** A reference to an entity: its simple name and its namespace path. */
  public record Ref(String name, String path) {
    public static Ref of(EntityPath p) {
      return new Ref(p.name(), p.namespacePath());
    }

    public EntityPath toPath() {
      int slash = path.indexOf('/');
      return slash < 0
          ? EntityPath.of(path, name)
          : new EntityPath(path.substring(0, slash), path.substring(slash + 1), name);
    }
  }
}

package io.hpcwhisk.balancer.invoke;

import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.KeyValue;
import java.util.List;

/**
 * An action found through its name: the real path (a binding resolved to the bound package), the
 * action and the parameters it inherits from its package and binding (binding over package).
 */
public record ResolvedAction(EntityPath path, Action action, List<KeyValue> inherited) {
  public ResolvedAction {
    inherited = List.copyOf(inherited);
  }

  /** Package, binding and action parameters merged, action last. */
  public List<KeyValue> parameters() {
    return KeyValue.merge(inherited, action.parameters());
  }

  public boolean annotationIsTrue(String key, boolean dflt) {
    var v = KeyValue.find(action.annotations(), key);
    return v == null ? dflt : v.asBoolean(dflt);
  }
}

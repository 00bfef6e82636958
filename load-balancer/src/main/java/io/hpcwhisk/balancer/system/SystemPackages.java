package io.hpcwhisk.balancer.system;

import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.ActionLimits;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.SemVer;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import io.hpcwhisk.balancer.entity.WhiskPackage;
import io.hpcwhisk.balancer.store.EntityStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Installs {@code /whisk.system/utils} (public) with its actions; an action is rewritten only when
 * its code changed, so versions stay stable across restarts.
 */
public final class SystemPackages {

  public static final String NAMESPACE = "whisk.system";
  public static final String UTILS = "utils";
  public static final List<String> UTILS_ACTIONS =
      List.of("echo", "cat", "sort", "head", "split", "date", "namespace", "hosturl", "smash");
  private static final String KIND = "nodejs:20";

  private SystemPackages() {}

  public static void install(EntityStore store, long now) {
    EntityPath pkgPath = EntityPath.of(NAMESPACE, UTILS);
    if (store.get(pkgPath).isEmpty()) {
      store.put(
          pkgPath,
          new WhiskPackage(
              NAMESPACE,
              UTILS,
              SemVer.INITIAL,
              true,
              WhiskPackage.Binding.NONE,
              List.of(
                  new KeyValue(
                      "description", Json.tree("Building blocks that format and assemble data"))),
              List.of(),
              now));
    }
    for (String name : UTILS_ACTIONS) {
      String code = resource(name + ".js");
      EntityPath path = new EntityPath(NAMESPACE, UTILS, name);
      Optional<WhiskEntity> old = store.get(path);
      if (old.isPresent() && old.get() instanceof Action a && code.equals(a.exec().code())) {
        continue;
      }
      String version = old.map(e -> SemVer.bump(e.version())).orElse(SemVer.INITIAL);
      store.put(
          path,
          new Action(
              pkgPath.path(),
              name,
              version,
              new Exec(KIND, code, false, null, null, null),
              List.of(new KeyValue("exec", Json.tree(KIND))),
              List.of(),
              ActionLimits.DEFAULT,
              true,
              now));
    }
  }

  private static String resource(String file) {
    try (InputStream in = SystemPackages.class.getResourceAsStream("/whisk-system/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing resource /whisk-system/" + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /whisk-system/" + file, e);
    }
  }
}

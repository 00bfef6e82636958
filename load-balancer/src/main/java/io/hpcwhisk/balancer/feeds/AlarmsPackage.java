package io.hpcwhisk.balancer.feeds;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Installs {@code /whisk.system/alarms} (public) with its feed actions {@code alarm}, {@code once}
 * and {@code interval}, annotated {@code feed: true} and with their parameters as the catalog
 * describes them. Their code is a placeholder: {@link FeedDispatcher} answers their invocations in
 * the server. An action is rewritten only when it changed, so versions stay stable across restarts.
 */
public final class AlarmsPackage {

  public static final String NAMESPACE = "whisk.system";
  public static final String PACKAGE = "alarms";
  private static final String KIND = "nodejs:20";

  private AlarmsPackage() {}

  public static void install(EntityStore store, long now) {
    EntityPath pkgPath = EntityPath.of(NAMESPACE, PACKAGE);
    if (store.get(pkgPath).isEmpty()) {
      store.put(
          pkgPath,
          new WhiskPackage(
              NAMESPACE,
              PACKAGE,
              SemVer.INITIAL,
              true,
              WhiskPackage.Binding.NONE,
              List.of(
                  new KeyValue("description", Json.tree("Alarms and periodic utility")),
                  new KeyValue(
                      "parameters",
                      Json.tree(
                          List.of(param("trigger_payload", "The payload of every fire", false))))),
              List.of(),
              now));
    }
    action(
        store,
        pkgPath,
        Alarm.Kind.ALARM,
        "Fire trigger when alarm occurs (cron)",
        List.of(
            param("cron", "A cron pattern of 5 fields, e.g. '*/5 * * * *'", true),
            param("timezone", "The zone the cron is read in (default UTC)", false),
            param("trigger_payload", "The payload of every fire", false),
            param("startDate", "No fire before this date (ISO 8601)", false),
            param("stopDate", "No fire after this date (ISO 8601)", false)),
        now);
    action(
        store,
        pkgPath,
        Alarm.Kind.ONCE,
        "Fire trigger once when alarm occurs",
        List.of(
            param("date", "When to fire (ISO 8601)", true),
            param("trigger_payload", "The payload of the fire", false),
            param("deleteAfterFire", "false, true (delete the trigger) or rules", false)),
        now);
    action(
        store,
        pkgPath,
        Alarm.Kind.INTERVAL,
        "Fire trigger at specified interval",
        List.of(
            param("minutes", "Minutes between fires (an integer greater than zero)", true),
            param("trigger_payload", "The payload of every fire", false),
            param("startDate", "The first fire is one interval after it (ISO 8601)", false),
            param("stopDate", "No fire after this date (ISO 8601)", false)),
        now);
  }

  private static Map<String, Object> param(String name, String description, boolean required) {
    return Map.of("name", name, "description", description, "required", required);
  }

  private static void action(
      EntityStore store,
      EntityPath pkgPath,
      Alarm.Kind kind,
      String description,
      List<Map<String, Object>> parameters,
      long now) {
    String code =
        "// The "
            + kind.feed()
            + " feed of /whisk.system/alarms is answered by the HPC-Whisk server itself\n"
            + "// (lifecycleEvent CREATE, READ, UPDATE, DELETE, PAUSE, UNPAUSE); this code never"
            + " runs.\n"
            + "function main(params) {\n"
            + "  return { error: 'answered by the server' };\n"
            + "}\n";
    List<KeyValue> annotations =
        List.of(
            new KeyValue("feed", Json.tree(true)),
            new KeyValue("description", Json.tree(description)),
            new KeyValue("parameters", Json.tree(parameters)),
            new KeyValue("exec", Json.tree(KIND)));
    EntityPath path = new EntityPath(NAMESPACE, PACKAGE, kind.feed());
    Optional<WhiskEntity> old = store.get(path);
    if (old.isPresent()
        && old.get() instanceof Action a
        && code.equals(a.exec().code())
        && annotations.equals(a.annotations())) {
      return;
    }
    String version = old.map(e -> SemVer.bump(e.version())).orElse(SemVer.INITIAL);
    store.put(
        path,
        new Action(
            pkgPath.path(),
            kind.feed(),
            version,
            new Exec(KIND, code, false, null, null, null),
            annotations,
            List.of(),
            ActionLimits.DEFAULT,
            true,
            now));
  }
}

package io.hpcwhisk.balancer.feeds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.entity.Rule;
import io.hpcwhisk.balancer.entity.Trigger;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import io.hpcwhisk.balancer.invoke.TriggerService;
import io.hpcwhisk.balancer.store.AlarmStore;
import io.hpcwhisk.balancer.store.EntityStore;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alarms of {@code /whisk.system/alarms}: answers the feed lifecycle and fires triggers on
 * schedule.
 *
 * <p>Each alarm lives in the server's store ({@link AlarmStore}: definition, state, last fire) and
 * is scheduled in a Quartz scheduler with a RAM job store, rebuilt from the store at every start
 * ({@link #start}). Missed fires are skipped, as the catalog's alarms do: a cron alarm resumes at
 * its next time after the start, an interval alarm at its next slot ({@code startDate + k *
 * interval}), a {@code once} alarm whose date passed while the server was down is not fired and
 * becomes inactive ("the fire once date has expired"). A fire is a fire of the trigger by the
 * namespace's owner through {@link TriggerService#fire}, so it counts against the namespace's fire
 * limit and storage quota like a user's fire; one refused is logged and skipped.
 */
public final class AlarmService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AlarmService.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final String GROUP = "alarms";

  private final AlarmStore store;
  private final EntityStore entities;
  private final Function<String, Optional<Identity>> owners;
  private final AlarmSettings settings;
  private final InstantSource clock;
  private final Scheduler scheduler;
  private final AtomicLong fires = new AtomicLong();
  private final AtomicLong refusedFires = new AtomicLong();
  private volatile TriggerService triggers;

  /**
   * @param entities the store itself (not a watching wrapper)
   * @param owners the identity a namespace's alarms fire as (its owner), or empty when the
   *     namespace has no user any more
   */
  public AlarmService(
      AlarmStore store,
      EntityStore entities,
      Function<String, Optional<Identity>> owners,
      AlarmSettings settings,
      InstantSource clock) {
    this.store = store;
    this.entities = entities;
    this.owners = owners;
    this.settings = settings;
    this.clock = clock;
    Properties props = new Properties();
    props.setProperty(
        "org.quartz.scheduler.instanceName", "hpc-whisk-alarms-" + INSTANCES.incrementAndGet());
    props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    props.setProperty("org.quartz.threadPool.threadCount", "2");
    props.setProperty("org.quartz.threadPool.threadNamePrefix", "alarms");
    props.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    props.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    props.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    try {
      scheduler = new StdSchedulerFactory(props).getScheduler();
      scheduler.setJobFactory((bundle, s) -> new FireJob(this));
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot create the alarms' Quartz scheduler", e);
    }
  }

  /** Fires through {@code triggerService}: schedules every stored alarm and starts the clock. */
  public synchronized void start(TriggerService triggerService) {
    this.triggers = triggerService;
    int scheduled = 0;
    int inactive = 0;
    for (Map.Entry<String, String> e : store.all().entrySet()) {
      Alarm a;
      try {
        a = Alarm.fromJson(e.getValue());
      } catch (RuntimeException bad) {
        LOG.error("alarm {} in the store cannot be read ({}); it is left alone", e.getKey(), bad);
        continue;
      }
      if (schedule(a)) {
        scheduled++;
      } else {
        inactive++;
      }
    }
    try {
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot start the alarms' Quartz scheduler", e);
    }
    LOG.info("alarms: {} scheduled, {} inactive (paused, expired or done)", scheduled, inactive);
  }

  /** Fires made so far, and fires the trigger service refused (limits, quota). */
  public long fires() {
    return fires.get();
  }

  public long refusedFires() {
    return refusedFires.get();
  }

  /** When the alarm of {@code ns/trigger} fires next, or empty when it is not scheduled. */
  // the entity Trigger is imported; Quartz's Trigger is named in full
  @SuppressWarnings("checkstyle:InlineFullyQualifiedName")
  synchronized Optional<Long> nextFire(String key) {
    try {
      org.quartz.Trigger t = scheduler.getTrigger(new TriggerKey(key, GROUP));
      return t == null || t.getNextFireTime() == null
          ? Optional.empty()
          : Optional.of(t.getNextFireTime().getTime());
    } catch (SchedulerException e) {
      return Optional.empty();
    }
  }

  /** The alarms this server holds (tests, metrics). */
  public int count() {
    return store.all().size();
  }

  /**
   * Answers one invocation of the feed {@code kind} by a user of {@code callerNamespace}; throws
   * {@link FeedError} for what the feed refuses.
   */
  public synchronized ObjectNode handle(
      Alarm.Kind kind, String callerNamespace, ObjectNode params) {
    JsonNode eventNode = params.get("lifecycleEvent");
    String event = eventNode == null || eventNode.isNull() ? null : eventNode.asText();
    if (event == null
        || !List.of("CREATE", "READ", "UPDATE", "DELETE", "PAUSE", "UNPAUSE").contains(event)) {
      throw new FeedError(
          "unsupported lifecycleEvent "
              + (event == null ? "(none given)" : "'" + event + "'")
              + "; expected one of CREATE, READ, UPDATE, DELETE, PAUSE, UNPAUSE");
    }
    EntityPath path = triggerPath(params.get("triggerName"), callerNamespace);
    String key = path.namespace() + "/" + path.name();
    Optional<Alarm> existing = store.get(key).map(Alarm::fromJson);
    long now = clock.millis();
    if (event.equals("DELETE")) {
      if (existing.isEmpty()) {
        throw new FeedError("trigger '" + ("/" + path.path()) + "' has no alarm to delete");
      }
      unschedule(key);
      store.remove(key);
      LOG.info("alarm of {} deleted by its owner", ("/" + path.path()));
      return success();
    }
    Trigger trigger = existingTrigger(path);
    if (event.equals("CREATE")) {
      try {
        return create(kind, path, trigger, existing, params, now);
      } catch (FeedError e) {
        throw new FeedError(e.getMessage() + undoCreate(kind, path, trigger, existing));
      }
    }
    Alarm alarm =
        existing
            .filter(a -> a.kind() == kind)
            .orElseThrow(
                () ->
                    new FeedError(
                        "trigger '"
                            + ("/" + path.path())
                            + "' has no "
                            + kind.feed()
                            + " alarm"
                            + existing
                                .map(a -> " (it has a " + a.kind().feed() + " one)")
                                .orElse("")));
    switch (event) {
      case "READ":
        return alarm.describe();
      case "UPDATE":
        Alarm updated = AlarmParams.update(alarm, params, settings, now);
        store.put(key, updated.toJson());
        schedule(updated);
        return success();
      case "PAUSE":
        Alarm paused = alarm.withState(false, "paused by the user (lifecycleEvent PAUSE)", now);
        unschedule(key);
        store.put(key, paused.toJson());
        return success();
      default: // UNPAUSE
        Alarm resumed = alarm.withState(true, null, now);
        store.put(key, resumed.toJson());
        schedule(resumed);
        return success();
    }
  }

  private ObjectNode create(
      Alarm.Kind kind,
      EntityPath path,
      Trigger trigger,
      Optional<Alarm> existing,
      ObjectNode params,
      long now) {
    if (existing.isPresent()) {
      throw new FeedError(
          "trigger '"
              + ("/" + path.path())
              + "' already has a "
              + existing.get().kind().feed()
              + " alarm; delete it first (lifecycleEvent DELETE)");
    }
    int have = store.countIn(path.namespace());
    if (have >= settings.maxPerNamespace()) {
      LOG.warn(
          "namespace {}: alarm for {} refused, it has {} alarms (alarms.max-per-namespace {})",
          path.namespace(),
          ("/" + path.path()),
          have,
          settings.maxPerNamespace());
      throw new FeedError(
          "namespace '"
              + path.namespace()
              + "' has "
              + have
              + " alarms, the most this server allows per namespace (alarms.max-per-namespace "
              + settings.maxPerNamespace()
              + "); delete one first");
    }
    Alarm alarm = AlarmParams.create(kind, path.namespace(), path.name(), params, settings, now);
    if (Json.violation(alarm.payload()).isPresent()) {
      throw new FeedError(
          "the trigger_payload parameter breaks the server's JSON limits: "
              + Json.violation(alarm.payload()).get());
    }
    store.put(alarm.key(), alarm.toJson());
    schedule(alarm);
    LOG.info("{} alarm created for {}", kind.feed(), ("/" + path.path()));
    return success();
  }

  /**
   * After a failed CREATE: deletes the trigger when it was made for this feed (its {@code feed}
   * annotation names it, as {@code wsk trigger create --feed} writes it) and has no alarm, so a
   * failed create leaves no trigger behind; the text to add to the error.
   */
  private String undoCreate(
      Alarm.Kind kind, EntityPath path, Trigger trigger, Optional<Alarm> existing) {
    if (existing.isPresent()) {
      return "";
    }
    JsonNode feed = KeyValue.find(trigger.annotations(), "feed");
    if (feed == null || !feed.isTextual() || !namesFeed(feed.asText(), kind)) {
      return "";
    }
    entities.delete(path);
    LOG.info(
        "feed CREATE for {} failed; the trigger made for the feed was deleted",
        ("/" + path.path()));
    return " (the trigger '" + ("/" + path.path()) + "' made for this feed was deleted)";
  }

  private static boolean namesFeed(String feed, Alarm.Kind kind) {
    String f = feed.startsWith("/") ? feed.substring(1) : feed;
    return f.equals("whisk.system/alarms/" + kind.feed());
  }

  /** A trigger was deleted (through the API or otherwise): its alarm goes too. */
  public synchronized void triggerDeleted(EntityPath path) {
    String key = path.namespace() + "/" + path.name();
    if (path.pkg() == null && store.remove(key)) {
      unschedule(key);
      LOG.info("alarm of {} deleted with its trigger", ("/" + path.path()));
    }
  }

  private Trigger existingTrigger(EntityPath path) {
    Optional<WhiskEntity> found = entities.get(path);
    if (found.isPresent() && found.get() instanceof Trigger t) {
      return t;
    }
    throw new FeedError(
        "Trigger authentication request failed: there is no trigger '"
            + ("/" + path.path())
            + "' in your namespace (create the trigger first)");
  }

  /** {@code /ns/name}, {@code /_/name} or {@code name}; only the caller's own namespace. */
  private static EntityPath triggerPath(JsonNode node, String callerNamespace) {
    if (node == null || node.isNull() || !node.isTextual() || node.asText().isBlank()) {
      throw new FeedError(
          "no trigger name parameter was provided (expected triggerName '/namespace/trigger')");
    }
    String name = node.asText();
    String ns = callerNamespace;
    String rest = name;
    if (name.startsWith("/")) {
      String[] parts = name.substring(1).split("/", -1);
      if (parts.length != 2) {
        throw new FeedError(
            "triggerName '" + name + "' is not valid (expected '/namespace/trigger')");
      }
      ns = parts[0];
      rest = parts[1];
    }
    if (!ns.equals("_") && !ns.equals(callerNamespace)) {
      LOG.warn(
          "namespace {}: feed request for trigger '{}' of another namespace refused",
          callerNamespace,
          name);
      throw new FeedError(
          "Trigger authentication request failed: trigger '"
              + name
              + "' is not in your namespace '"
              + callerNamespace
              + "'");
    }
    if (!EntityPath.isLegalName(rest)) {
      throw new FeedError(
          "triggerName '" + name + "' is not valid (expected '/namespace/trigger')");
    }
    return EntityPath.of(callerNamespace, rest);
  }

  private static ObjectNode success() {
    return Json.MAPPER.createObjectNode().put("status", "success");
  }

  /**
   * Puts the alarm in the scheduler (replacing what was there); false when it does not run
   * (inactive, expired, or done), with its state updated in the store.
   */
  // the entity Trigger is imported; Quartz's Trigger is named in full
  @SuppressWarnings("checkstyle:InlineFullyQualifiedName")
  private boolean schedule(Alarm a) {
    unschedule(a.key());
    if (!a.active()) {
      return false;
    }
    long now = clock.millis();
    String expired = null;
    TriggerBuilder<org.quartz.Trigger> b =
        TriggerBuilder.newTrigger().withIdentity(a.key(), GROUP).forJob(a.key(), GROUP);
    org.quartz.Trigger t = null;
    switch (a.kind()) {
      case ONCE -> {
        if (a.date() <= now) {
          expired = "the fire once date has expired";
        } else {
          t =
              b.startAt(new Date(a.date()))
                  .withSchedule(
                      SimpleScheduleBuilder.simpleSchedule()
                          .withMisfireHandlingInstructionNextWithRemainingCount())
                  .build();
        }
      }
      case INTERVAL -> {
        long period = a.intervalSeconds() * 1000;
        long anchor = a.startDate() != null ? a.startDate() : a.created();
        long next =
            now < anchor ? anchor + period : anchor + period * ((now - anchor) / period + 1);
        if (a.stopDate() != null && next > a.stopDate()) {
          expired = "the next scheduled trigger fire is after the stop date";
        } else {
          b.startAt(new Date(next))
              .withSchedule(
                  SimpleScheduleBuilder.simpleSchedule()
                      .withIntervalInMilliseconds(period)
                      .repeatForever()
                      .withMisfireHandlingInstructionNextWithRemainingCount());
          if (a.stopDate() != null) {
            b.endAt(new Date(a.stopDate()));
          }
          t = b.build();
        }
      }
      case ALARM -> {
        CronExpression cron = AlarmParams.quartz(a.cron(), a.timezone());
        long start = Math.max(now, a.startDate() == null ? now : a.startDate());
        Date first = cron.getNextValidTimeAfter(new Date(start - 1));
        if (first == null || (a.stopDate() != null && first.getTime() > a.stopDate())) {
          expired =
              a.stopDate() != null && a.stopDate() <= now
                  ? "the stop date has expired"
                  : "the next scheduled trigger fire is after the stop date";
        } else {
          b.startAt(new Date(start))
              .withSchedule(
                  CronScheduleBuilder.cronSchedule(cron).withMisfireHandlingInstructionDoNothing());
          if (a.stopDate() != null) {
            b.endAt(new Date(a.stopDate()));
          }
          t = b.build();
        }
      }
      default -> throw new IllegalStateException("unknown alarm kind " + a.kind());
    }
    if (expired != null) {
      store.put(a.key(), a.withState(false, expired, now).toJson());
      LOG.info("alarm of {} is inactive: {}", a.triggerName(), expired);
      return false;
    }
    JobDetail job =
        JobBuilder.newJob(FireJob.class).withIdentity(a.key(), GROUP).storeDurably(false).build();
    try {
      scheduler.scheduleJob(job, t);
      return true;
    } catch (SchedulerException e) {
      String reason = "it would never fire (" + e.getMessage() + ")";
      store.put(a.key(), a.withState(false, reason, now).toJson());
      LOG.info("alarm of {} is inactive: {}", a.triggerName(), reason);
      return false;
    }
  }

  private void unschedule(String key) {
    try {
      scheduler.deleteJob(new JobKey(key, GROUP));
    } catch (SchedulerException e) {
      LOG.warn("could not unschedule the alarm of {}: {}", key, e.getMessage());
    }
  }

  /** One fire of the alarm {@code key}, from Quartz. */
  void fire(String key, Date next) {
    Alarm a;
    Identity owner;
    EntityPath path;
    synchronized (this) {
      Optional<Alarm> stored = store.get(key).map(Alarm::fromJson);
      if (stored.isEmpty() || !stored.get().active()) {
        unschedule(key);
        return;
      }
      a = stored.get();
      path = EntityPath.of(a.namespace(), a.trigger());
      if (!(entities.get(path).orElse(null) instanceof Trigger)) {
        store.remove(key);
        unschedule(key);
        LOG.info("alarm of {} deleted: its trigger is gone", a.triggerName());
        return;
      }
      owner = owners.apply(a.namespace()).orElse(null);
      if (owner == null) {
        store.remove(key);
        unschedule(key);
        LOG.info("alarm of {} deleted: namespace {} has no user", a.triggerName(), a.namespace());
        return;
      }
    }
    long at = clock.millis();
    try {
      Optional<String> id = triggers.fire(owner, path, a.payload().deepCopy());
      fires.incrementAndGet();
      LOG.debug("alarm fired {}: {}", a.triggerName(), id.orElse("no active rule"));
    } catch (Rejection e) {
      refusedFires.incrementAndGet();
      LOG.warn(
          "alarm of {}: fire refused ({} {}); skipped",
          a.triggerName(),
          e.status(),
          e.getMessage());
    } catch (RuntimeException e) {
      refusedFires.incrementAndGet();
      LOG.error("alarm of {}: fire failed; skipped", a.triggerName(), e);
    }
    synchronized (this) {
      Optional<Alarm> now = store.get(key).map(Alarm::fromJson);
      if (now.isEmpty()) {
        return;
      }
      Alarm fired = now.get().withLastFire(at);
      if (next == null) {
        fired =
            fired.withState(
                false,
                a.kind() == Alarm.Kind.ONCE ? "fired once" : "the stop date has been reached",
                at);
      }
      store.put(key, fired.toJson());
      if (a.kind() == Alarm.Kind.ONCE && !"false".equals(a.deleteAfterFire())) {
        deleteAfterFire(a, path);
      }
    }
  }

  private void deleteAfterFire(Alarm a, EntityPath path) {
    if ("rules".equals(a.deleteAfterFire())) {
      for (Rule r : entities.list(a.namespace(), null, Rule.class)) {
        if (r.trigger().toPath().equals(path)) {
          entities.delete(EntityPath.of(a.namespace(), r.name()));
        }
      }
    }
    entities.delete(path);
    store.remove(a.key());
    unschedule(a.key());
    LOG.info(
        "once alarm of {} fired; deleteAfterFire {}: trigger{} deleted",
        a.triggerName(),
        a.deleteAfterFire(),
        "rules".equals(a.deleteAfterFire()) ? " and its rules" : "");
  }

  @Override
  public void close() {
    try {
      scheduler.shutdown(true);
    } catch (SchedulerException e) {
      LOG.warn("alarms' scheduler did not shut down cleanly: {}", e.getMessage());
    }
  }

  /** The Quartz job: fires the alarm named by its key. */
  @DisallowConcurrentExecution
  static final class FireJob implements Job {
    private final AlarmService service;

    FireJob(AlarmService service) {
      this.service = service;
    }

    @Override
    public void execute(JobExecutionContext context) {
      service.fire(context.getJobDetail().getKey().getName(), context.getNextFireTime());
    }
  }
}

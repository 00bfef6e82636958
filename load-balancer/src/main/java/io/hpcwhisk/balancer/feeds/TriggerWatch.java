package io.hpcwhisk.balancer.feeds;

import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Trigger;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import io.hpcwhisk.balancer.store.EntityStore;
import java.util.List;
import java.util.Optional;

/**
 * The entity store as the API and the trigger service see it, telling the {@link AlarmService} when
 * a trigger is deleted, so that its alarm goes with it (a trigger deleted and made again under the
 * same name starts without an alarm).
 */
public final class TriggerWatch implements EntityStore {

  private final EntityStore store;
  private final AlarmService alarms;

  public TriggerWatch(EntityStore store, AlarmService alarms) {
    this.store = store;
    this.alarms = alarms;
  }

  @Override
  public Optional<WhiskEntity> get(EntityPath path) {
    return store.get(path);
  }

  @Override
  public void put(EntityPath path, WhiskEntity entity) {
    store.put(path, entity);
  }

  @Override
  public boolean delete(EntityPath path) {
    boolean trigger = store.get(path).orElse(null) instanceof Trigger;
    boolean deleted = store.delete(path);
    if (deleted && trigger) {
      alarms.triggerDeleted(path);
    }
    return deleted;
  }

  @Override
  public <T extends WhiskEntity> List<T> list(String namespace, String pkg, Class<T> type) {
    return store.list(namespace, pkg, type);
  }
}

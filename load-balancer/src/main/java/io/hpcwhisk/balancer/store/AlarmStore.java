package io.hpcwhisk.balancer.store;

import java.util.Map;
import java.util.Optional;

/**
 * The alarms of the {@code /whisk.system/alarms} feeds, keyed by their trigger's path ({@code
 * ns/trigger}); the value is the alarm's definition and state as JSON (written and read by the
 * feeds package). A change is durable when the call returns.
 */
public interface AlarmStore {

  Optional<String> get(String triggerPath);

  void put(String triggerPath, String json);

  /** False when there was none. */
  boolean remove(String triggerPath);

  /** Every alarm, by trigger path in key order. */
  Map<String, String> all();

  /** How many alarms the namespace has. */
  int countIn(String namespace);
}

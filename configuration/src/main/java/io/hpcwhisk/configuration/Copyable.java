package io.hpcwhisk.configuration;

import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Copy-with for configuration records that cannot drop a field: {@code api.with(Api::port, 0)}
 * copies every other component through the record's own accessors (found by reflection, so a
 * component added later is copied too) and runs the canonical constructor, defaults and checks
 * included. A record implements it as {@code record Api(...) implements Copyable<Api>}.
 *
 * @param <R> the record type itself
 */
public interface Copyable<R extends Record & Copyable<R>> {

  /** A component accessor written as a method reference, e.g. {@code Api::port}. */
  @FunctionalInterface
  interface Component<R, T> extends Function<R, T>, Serializable {}

  /**
   * This record with {@code component} set to {@code value} and every other component unchanged.
   */
  @SuppressWarnings("unchecked")
  default <T> R with(Component<R, T> component, T value) {
    return Copies.with((R) this, Copies.name(component), value);
  }

  /** The reflection behind {@link Copyable#with}. */
  final class Copies {
    private static final Map<Class<?>, String> NAMES = new ConcurrentHashMap<>();

    private Copies() {}

    static String name(Component<?, ?> component) {
      return NAMES.computeIfAbsent(
          component.getClass(),
          c -> {
            try {
              Method writeReplace = c.getDeclaredMethod("writeReplace");
              writeReplace.setAccessible(true);
              SerializedLambda lambda = (SerializedLambda) writeReplace.invoke(component);
              return lambda.getImplMethodName();
            } catch (ReflectiveOperationException | RuntimeException e) {
              throw new IllegalArgumentException(
                  "with(...) takes a record accessor such as Api::port, got " + c, e);
            }
          });
    }

    static <R extends Record> R with(R record, String name, Object value) {
      RecordComponent[] components = record.getClass().getRecordComponents();
      if (Arrays.stream(components).noneMatch(c -> c.getName().equals(name))) {
        throw new IllegalArgumentException(
            name + " is not a component of " + record.getClass().getSimpleName());
      }
      Object[] args = new Object[components.length];
      Class<?>[] types = new Class<?>[components.length];
      try {
        for (int i = 0; i < components.length; i++) {
          types[i] = components[i].getType();
          args[i] =
              components[i].getName().equals(name)
                  ? value
                  : components[i].getAccessor().invoke(record);
        }
        @SuppressWarnings("unchecked")
        Constructor<R> canonical = (Constructor<R>) record.getClass().getDeclaredConstructor(types);
        return canonical.newInstance(args);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException(e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(
            "cannot copy " + record.getClass().getSimpleName() + ": " + e, e);
      }
    }
  }
}

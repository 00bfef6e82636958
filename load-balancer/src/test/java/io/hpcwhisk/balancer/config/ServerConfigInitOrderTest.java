package io.hpcwhisk.balancer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ServerConfig.DEFAULT} is whole whichever class of the configuration the JVM initialises
 * first. Each case loads this package afresh in its own class loader and touches one class first,
 * as a server, a command or a test may. Before the fix, touching {@code Api} first initialised
 * {@link ServerConfig} from inside {@code Api}'s static initialiser (through the static {@code
 * hostsOf}), so {@code ServerConfig.DEFAULT.api()} was null.
 */
class ServerConfigInitOrderTest {

  private static final String PACKAGE = ServerConfig.class.getPackageName();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ServerConfig$Api",
        "StoreConfig",
        "ServerConfig$Pilots",
        "HttpConfig",
        "AlarmsConfig",
        "ServerConfig$Tls",
        "ServerConfig$Postgres",
        "Hosts",
        "ServerConfig"
      })
  void theDefaultHasEverySectionWhicheverClassIsInitialisedFirst(String first) throws Exception {
    ClassLoader fresh = new PackageFirstLoader(ServerConfigInitOrderTest.class.getClassLoader());
    Class.forName(PACKAGE + "." + first, true, fresh);

    Class<?> config = Class.forName(PACKAGE + ".ServerConfig", true, fresh);
    assertThat(config.getClassLoader()).as("loaded afresh").isSameAs(fresh);
    Object defaults = config.getField("DEFAULT").get(null);
    assertThat(defaults).as("ServerConfig.DEFAULT").isNotNull();
    for (RecordComponent c : config.getRecordComponents()) {
      Object section = c.getAccessor().invoke(defaults);
      assertThat(section).as("ServerConfig.DEFAULT.%s() after %s", c.getName(), first).isNotNull();
      Object sectionDefault = c.getType().getField("DEFAULT").get(null);
      assertThat(section).as("ServerConfig.DEFAULT.%s()", c.getName()).isEqualTo(sectionDefault);
    }
    Object api = config.getMethod("api").invoke(defaults);
    assertThat(api.getClass().getMethod("port").invoke(api)).isEqualTo(3233);
  }

  /**
   * Defines the classes of the configuration package itself (from the parent's class files) and
   * leaves every other class to the parent, so each instance initialises that package anew.
   */
  private static final class PackageFirstLoader extends ClassLoader {
    PackageFirstLoader(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      boolean ours = name.startsWith(PACKAGE + ".") && name.indexOf('.', PACKAGE.length() + 1) < 0;
      if (!ours) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          String file = name.replace('.', '/') + ".class";
          try (InputStream in = getParent().getResourceAsStream(file)) {
            if (in == null) {
              throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            c = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }
}

package io.hpcwhisk.runtime.javaloop;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The action loop for Java actions: runs in its own JVM with only this class and Gson on the class
 * path, loads the action's jar in a child class loader and calls its {@code public static
 * JsonObject main(JsonObject)} (Gson's {@code JsonObject}, the signature OpenWhisk's Java runtime
 * uses, so jars built for OpenWhisk run unchanged). {@code main} names the class, optionally {@code
 * Class#method}.
 *
 * <p>Protocol, one JSON object per line: stdin line 1 {@code {"init": {"main": ..., "entry": JAR}}}
 * answered on fd 3 with {@code {"ok": true}} or {@code {"ok": false, "error": ...}}; then one line
 * per activation answered with the result on fd 3, after an end marker line on stdout and stderr.
 *
 * <p>Depends on the JDK and Gson only: it is copied into a small launcher jar at run time.
 */
public final class JavaActionLoop {

  static final String MARKER = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";
  private static final Gson GSON =
      new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

  private JavaActionLoop() {}

  public static void main(String[] args) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (OutputStream fd3 = new FileOutputStream("/proc/self/fd/3")) {
      Method action = null;
      List<String> owKeys = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonObject message = JsonParser.parseString(line).getAsJsonObject();
        if (action == null) {
          try {
            action = load(message.getAsJsonObject("init"));
            send(fd3, "{\"ok\":true}");
          } catch (Exception | LinkageError e) {
            e.printStackTrace();
            System.err.flush();
            JsonObject failure = new JsonObject();
            failure.addProperty("ok", false);
            failure.addProperty(
                "error", String.valueOf(e.getMessage() == null ? e : e.getMessage()));
            send(fd3, GSON.toJson(failure));
            System.exit(1);
          }
          continue;
        }
        setActivationEnv(message, owKeys);
        JsonElement value = message.get("value");
        JsonObject params =
            value != null && value.isJsonObject() ? value.getAsJsonObject() : new JsonObject();
        String text;
        try {
          Object result = action.invoke(null, params);
          text = result == null ? "{}" : GSON.toJson(result);
        } catch (InvocationTargetException e) {
          Throwable cause = e.getCause();
          cause.printStackTrace();
          JsonObject error = new JsonObject();
          error.addProperty(
              "error",
              "An error has occurred while invoking the action (see logs for details): " + cause);
          text = GSON.toJson(error);
        }
        System.out.println(MARKER);
        System.err.println(MARKER);
        System.out.flush();
        System.err.flush();
        send(fd3, text);
      }
    }
  }

  private static Method load(JsonObject init) throws Exception {
    if (init == null || !init.has("entry")) {
      throw new IllegalArgumentException("init message without entry");
    }
    String main = init.has("main") ? init.get("main").getAsString() : "Main";
    String className = main;
    String methodName = "main";
    int hash = main.indexOf('#');
    if (hash >= 0) {
      className = main.substring(0, hash);
      methodName = main.substring(hash + 1);
    }
    URL jar = Path.of(init.get("entry").getAsString()).toUri().toURL();
    ClassLoader loader = new URLClassLoader(new URL[] {jar}, JavaActionLoop.class.getClassLoader());
    Thread.currentThread().setContextClassLoader(loader);
    Class<?> actionClass = Class.forName(className, true, loader);
    Method method = actionClass.getMethod(methodName, JsonObject.class);
    if (!Modifier.isStatic(method.getModifiers())) {
      throw new NoSuchMethodException(
          "Action entrypoint " + className + "." + methodName + "(JsonObject) is not static.");
    }
    return method;
  }

  private static void send(OutputStream fd3, String text) throws Exception {
    fd3.write((text + "\n").getBytes(StandardCharsets.UTF_8));
    fd3.flush();
  }

  /**
   * Sets {@code __OW_*} in this JVM's view of the environment (best effort, as OpenWhisk's
   * runtime).
   */
  @SuppressWarnings("unchecked")
  private static void setActivationEnv(JsonObject message, List<String> owKeys) {
    try {
      Map<String, String> env = System.getenv();
      Field field = env.getClass().getDeclaredField("m");
      field.setAccessible(true);
      Map<String, String> writable = (Map<String, String>) field.get(env);
      owKeys.forEach(writable::remove);
      owKeys.clear();
      for (Map.Entry<String, JsonElement> entry : message.entrySet()) {
        if (!entry.getKey().equals("value")) {
          String name = "__OW_" + entry.getKey().toUpperCase(Locale.ROOT);
          JsonElement raw = entry.getValue();
          writable.put(name, raw.isJsonPrimitive() ? raw.getAsString() : raw.toString());
          owKeys.add(name);
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.err.println("cannot set __OW_ environment variables: " + e);
    }
  }
}

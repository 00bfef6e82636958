package io.hpcwhisk.balancer.feeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.hpcwhisk.balancer.entity.ActionLimits;
import io.hpcwhisk.balancer.entity.DeviceRequest;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.invoke.ActivationDispatcher;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link FeedDispatcher} wraps the server's dispatcher, so every method of {@link
 * ActivationDispatcher} must reach the executor: a method it does not override silently takes the
 * interface's default instead (as {@code largestPilot()} once did, so the API checked cores and
 * GPUs against no pilot). This test calls every method of the interface, found by reflection, on a
 * {@link FeedDispatcher} around a recording executor, and fails for any call (with its arguments
 * and answer) that does not arrive. A new method with a parameter type not known here fails too,
 * until an argument for it is added below.
 */
class FeedDispatcherForwardingTest {

  private static final CompletableFuture<RunOutcome> EXECUTOR_FUTURE = new CompletableFuture<>();
  private static final DeviceRequest.Largest EXECUTOR_LARGEST = new DeviceRequest.Largest(48, 4);

  private record Call(String method, List<Object> args) {
    Call(Method m, Object[] args) {
      this(
          m.getName() + Arrays.toString(m.getParameterTypes()),
          args == null ? List.of() : Arrays.asList(args));
    }
  }

  @Test
  void everyDispatcherMethodReachesTheExecutorWithItsArgumentsAndAnswer() throws Exception {
    List<Call> calls = new ArrayList<>();
    ActivationDispatcher executor =
        (ActivationDispatcher)
            Proxy.newProxyInstance(
                ActivationDispatcher.class.getClassLoader(),
                new Class<?>[] {ActivationDispatcher.class},
                (proxy, method, args) -> {
                  if (method.getDeclaringClass() == Object.class) {
                    return method.getName().equals("equals")
                        ? proxy == args[0]
                        : method.getName().equals("hashCode")
                            ? System.identityHashCode(proxy)
                            : "executor";
                  }
                  calls.add(new Call(method, args));
                  return answerOf(method.getReturnType());
                });
    FeedDispatcher feeds = new FeedDispatcher(executor, null, InstantSource.system());

    List<Method> methods =
        Arrays.stream(ActivationDispatcher.class.getMethods())
            .filter(m -> !Modifier.isStatic(m.getModifiers()))
            .toList();
    assertThat(methods).extracting(Method::getName).contains("dispatch", "largestPilot", "close");
    for (Method m : methods) {
      calls.clear();
      Object[] args = Arrays.stream(m.getParameterTypes()).map(t -> argumentOf(m, t)).toArray();
      Object answer = m.invoke(feeds, args);
      assertThat(calls)
          .as("%s must be forwarded to the executor by FeedDispatcher", m)
          .containsExactly(new Call(m, args));
      if (m.getReturnType() != void.class) {
        assertThat(answer)
            .as("the executor's answer to %s", m)
            .isSameAs(answerOf(m.getReturnType()));
      }
    }
  }

  /** What the recording executor answers: a value no default method returns. */
  private static Object answerOf(Class<?> type) {
    if (type == void.class) {
      return null;
    }
    if (type == CompletableFuture.class) {
      return EXECUTOR_FUTURE;
    }
    if (type == String.class) {
      return "the executor's description";
    }
    if (type == DeviceRequest.Largest.class) {
      return EXECUTOR_LARGEST;
    }
    return fail("no executor answer for %s: add one to answerOf", type);
  }

  /** An argument of {@code type}: for a request, one for an ordinary (not a feed) action. */
  private static Object argumentOf(Method m, Class<?> type) {
    if (type == RunRequest.class) {
      return new RunRequest(
          "a1",
          "alice",
          EntityPath.of("alice", "hello"),
          "0.0.1",
          new Exec("nodejs:20", "function main(p) { return p }", false, null, null, null),
          new ActionLimits(1000, 256, 10, 1),
          Json.MAPPER.createObjectNode(),
          null,
          System.currentTimeMillis() + 60_000,
          true);
    }
    if (type == String.class) {
      return "alice/default/hello";
    }
    return fail("no argument of %s for %s: add one to argumentOf", type, m);
  }
}

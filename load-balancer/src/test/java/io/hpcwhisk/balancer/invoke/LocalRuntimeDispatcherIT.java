package io.hpcwhisk.balancer.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.ActionLimits;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.runtime.RuntimeConfig;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local executor runs real runtimes: python and node code, cold then warm, and its timeout. */
class LocalRuntimeDispatcherIT {

  @TempDir Path dir;
  private LocalRuntimeDispatcher local;

  @BeforeEach
  void start() {
    local =
        new LocalRuntimeDispatcher(
            RuntimeConfig.defaults(dir, 1024), () -> "http://127.0.0.1:1", InstantSource.system());
  }

  @AfterEach
  void stop() {
    local.close();
  }

  private RunOutcome run(String kind, String code, int timeoutMs, String params) throws Exception {
    long now = System.currentTimeMillis();
    RunRequest r =
        new RunRequest(
            ActivationIds.next(),
            "ns",
            EntityPath.of("ns", kind.replace(':', '-')),
            "0.0.1",
            new Exec(kind, code, false, null, null, null),
            new ActionLimits(timeoutMs, 256, 10, 1),
            (ObjectNode) Json.MAPPER.readTree(params),
            null,
            now + timeoutMs,
            true);
    return local.dispatch(r).get(60, TimeUnit.SECONDS);
  }

  @Test
  void runsPythonColdThenWarm() throws Exception {
    String code =
        "def main(args):\n    print('py log')\n    return {'sum': args['a'] + args['b']}\n";
    RunOutcome cold = run("python:3", code, 10_000, "{\"a\":1,\"b\":2}");
    assertThat(cold.response().statusCode()).as(cold.toString()).isZero();
    assertThat(cold.response().result().toString()).isEqualTo("{\"sum\":3}");
    assertThat(cold.initTimeMillis()).isNotNull();
    assertThat(cold.logs()).anyMatch(l -> l.contains("py log"));
    RunOutcome warm = run("python:3", code, 10_000, "{\"a\":2,\"b\":2}");
    assertThat(warm.initTimeMillis()).isNull();
    assertThat(warm.response().result().path("sum").asInt()).isEqualTo(4);
  }

  @Test
  void moreActivationsThanMemoryQueueInsteadOfFailing() throws Exception {
    // 1024 MB of budget, 256 MB each: 12 concurrent activations run four at a time, none is refused
    String code = "function main(p){ return new Promise(r => setTimeout(() => r({n: p.n}), 200)) }";
    List<CompletableFuture<RunOutcome>> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      long now = System.currentTimeMillis();
      all.add(
          local.dispatch(
              new RunRequest(
                  ActivationIds.next(),
                  "ns",
                  EntityPath.of("ns", "burst"),
                  "0.0.1",
                  new Exec("nodejs:20", code, false, null, null, null),
                  new ActionLimits(10_000, 256, 10, 1),
                  (ObjectNode) Json.MAPPER.readTree("{\"n\":" + i + "}"),
                  null,
                  now + 10_000,
                  true)));
    }
    for (int i = 0; i < 12; i++) {
      RunOutcome o = all.get(i).get(60, TimeUnit.SECONDS);
      assertThat(o.response().statusCode()).as(o.toString()).isZero();
      assertThat(o.response().result().path("n").asInt()).isEqualTo(i);
    }
  }

  @Test
  void anActionLargerThanTheBudgetIsRefusedWithTheReason() throws Exception {
    long now = System.currentTimeMillis();
    RunOutcome o =
        local
            .dispatch(
                new RunRequest(
                    ActivationIds.next(),
                    "ns",
                    EntityPath.of("ns", "huge"),
                    "0.0.1",
                    new Exec("nodejs:20", "function main(){return {}}", false, null, null, null),
                    new ActionLimits(1000, 2048, 10, 1),
                    Json.MAPPER.createObjectNode(),
                    null,
                    now + 1000,
                    true))
            .get(10, TimeUnit.SECONDS);
    assertThat(o.response().statusCode()).isEqualTo(3);
    assertThat(o.response().result().path("error").asText()).contains("needs 2048 MB", "1024 MB");
  }

  @Test
  void aTimeoutIsADeveloperErrorWithOpenWhisksMessage() throws Exception {
    RunOutcome o =
        run(
            "nodejs:20",
            "function main(){ return new Promise(r => setTimeout(r, 5000)) }",
            500,
            "{}");
    assertThat(o.response().statusCode()).isEqualTo(2);
    assertThat(o.response().result().path("error").asText())
        .startsWith("The action exceeded its time limits of 500 milliseconds");
  }

  @Test
  void anUnknownKindForTheRuntimeIsAWhiskErrorNotACrash() throws Exception {
    RunOutcome o = run("cobol", "x", 1000, "{}");
    assertThat(o.response().statusCode()).isEqualTo(3);
    assertThat(o.response().result().path("error").asText()).contains("cannot run this action");
  }
}

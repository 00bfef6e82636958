package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.ActionLimits;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link ClusterDispatcher} writes to {@code dispatch_queue} reads back unchanged. */
class QueuedJsonTest {

  @Test
  void aRunRequestReadsBackEqual() {
    ObjectNode params = JsonNodeFactory.instance.objectNode().put("name", "ü \"x\"");
    RunRequest r =
        new RunRequest(
            "a1",
            "guest",
            EntityPath.of("guest", "hello"),
            "0.0.2",
            new Exec("nodejs:20", "function main(p){return p}", false, null, null, null),
            new ActionLimits(60_000, 256, 10, 1),
            params,
            null,
            123L,
            false,
            1);
    assertThat(Json.read(Json.write(r), RunRequest.class)).isEqualTo(r);
  }

  @Test
  void aRunOutcomeReadsBackEqual() {
    RunOutcome o =
        new RunOutcome(
            ActivationResponse.success(JsonNodeFactory.instance.objectNode().put("ok", true)),
            List.of("line 1"),
            10,
            20,
            5L);
    assertThat(Json.read(Json.write(o), RunOutcome.class)).isEqualTo(o);
    RunOutcome e = RunOutcome.whiskError("gone", 7);
    assertThat(Json.read(Json.write(e), RunOutcome.class)).isEqualTo(e);
  }
}

package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.entity.ActionLimits;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.invoke.NamespaceThrottle;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /}, {@code GET /api/v1} (no authentication) and {@code GET /namespaces/{ns}/limits}.
 */
final class MetaApi {

  private final NamespaceThrottle throttle;
  private final ApiSettings settings;
  private final String executor;
  private final String build;

  MetaApi(NamespaceThrottle throttle, ApiSettings settings, String executor, String build) {
    this.throttle = throttle;
    this.settings = settings;
    this.executor = executor;
    this.build = build;
  }

  Reply root() {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.set("api_paths", Json.tree(List.of("/api/v1")));
    out.put("description", "HPC-Whisk: an OpenWhisk-compatible API");
    ObjectNode limits = out.putObject("limits");
    limits.put("actions_per_minute", throttle.invocationsPerMinute());
    limits.put("triggers_per_minute", throttle.firesPerMinute());
    limits.put("concurrent_actions", throttle.concurrentInvocations());
    limits.put("min_action_duration", ActionLimits.MIN_TIMEOUT);
    limits.put("max_action_duration", ActionLimits.MAX_TIMEOUT);
    limits.put("min_action_memory", ActionLimits.MIN_MEMORY * 1_048_576L);
    limits.put("max_action_memory", ActionLimits.MAX_MEMORY * 1_048_576L);
    limits.put("min_action_logs", 0);
    limits.put("max_action_logs", ActionLimits.MAX_LOGS * 1_048_576L);
    limits.put("sequence_length", settings.maxSequenceLength());
    ObjectNode runtimes = out.putObject("runtimes");
    runtimes.set("nodejs", Json.tree(List.of(Map.of("kind", "nodejs:20", "default", true))));
    runtimes.set("python", Json.tree(List.of(Map.of("kind", "python:3", "default", true))));
    runtimes.set("java", Json.tree(List.of(Map.of("kind", "java", "default", true))));
    out.put("executor", executor);
    out.put("build", build);
    return Reply.ok(out);
  }

  Reply apiV1() {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("description", "HPC-Whisk: an OpenWhisk-compatible API");
    out.put("api_version", "1.0.0");
    out.put("api_version_path", "v1");
    out.put("build", build);
    return Reply.ok(out);
  }

  Reply limits(Identity caller, String namespace) {
    if (!caller.namespace().equals(namespace)) {
      throw Rejection.forbidden();
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    var limits = throttle.effective(namespace);
    out.put("invocationsPerMinute", limits.invocationsPerMinute());
    out.put("concurrentInvocations", limits.concurrentInvocations());
    out.put("firesPerMinute", limits.firesPerMinute());
    out.put("minActionMemory", ActionLimits.MIN_MEMORY);
    out.put("maxActionMemory", ActionLimits.MAX_MEMORY);
    out.put("minActionTimeout", ActionLimits.MIN_TIMEOUT);
    out.put("maxActionTimeout", ActionLimits.MAX_TIMEOUT);
    out.put("minActionLogs", 0);
    out.put("maxActionLogs", ActionLimits.MAX_LOGS);
    out.put("maxActionConcurrency", ActionsApi.MAX_CONCURRENCY);
    out.put("maxParameterSize", settings.maxPayloadBytes());
    return Reply.ok(out);
  }
}

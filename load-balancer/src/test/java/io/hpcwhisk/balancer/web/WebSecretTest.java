package io.hpcwhisk.balancer.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.entity.Json;
import org.junit.jupiter.api.Test;

class WebSecretTest {

  @Test
  void onlyTheExactSecretMatches() {
    assertThat(WebActionsHandler.secretMatches("s3cret", "s3cret")).isTrue();
    assertThat(WebActionsHandler.secretMatches("s3cret", null)).isFalse();
    assertThat(WebActionsHandler.secretMatches("s3cret", "")).isFalse();
    assertThat(WebActionsHandler.secretMatches("s3cret", "s3cre")).isFalse();
    assertThat(WebActionsHandler.secretMatches("s3cret", "s3cret ")).isFalse();
    assertThat(WebActionsHandler.secretMatches("s3cret", "S3CRET")).isFalse();
    assertThat(WebActionsHandler.secretMatches("", null))
        .as("an empty secret is not matched by a missing header")
        .isFalse();
  }

  @Test
  void finalIsTruthyAsInOpenWhisk() {
    for (String t : new String[] {"true", "1", "\"yes\"", "{}"}) {
      assertThat(WebActionsHandler.truthy(Json.read(t, JsonNode.class))).as(t).isTrue();
    }
    for (String f : new String[] {"false", "0", "\"\"", "null"}) {
      assertThat(WebActionsHandler.truthy(Json.read(f, JsonNode.class))).as(f).isFalse();
    }
    assertThat(WebActionsHandler.truthy(null)).isFalse();
  }
}

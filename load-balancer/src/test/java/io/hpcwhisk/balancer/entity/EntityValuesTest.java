package io.hpcwhisk.balancer.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EntityValuesTest {

  @ParameterizedTest
  @CsvSource({
    "99, 256, below allowed threshold of 100 milliseconds",
    "1209600001, 256, exceeds allowed threshold of 1209600000 milliseconds",
    "1000, 127, memory 127 MB below allowed threshold of 128 MB",
    "1000, 2049, memory 2049 MB exceeds allowed threshold of 2048 MB"
  })
  void limitsOutsideOpenWhisksRangesAreRefusedWithItsWording(
      int timeout, int memory, String message) {
    assertThatThrownBy(() -> new ActionLimits(timeout, memory, 10, 1))
        .hasMessageContaining(message);
  }

  @Test
  void limitsAtTheEdgesAreAccepted() {
    assertThat(new ActionLimits(100, 128, 0, 1).timeout()).isEqualTo(100);
    assertThat(new ActionLimits(300_000, 2048, 10, 500).memory()).isEqualTo(2048);
  }

  @Test
  void laterParameterListsOverrideEarlierOnes() {
    var merged =
        KeyValue.merge(
            List.of(new KeyValue("a", Json.tree(1)), new KeyValue("b", Json.tree(1))),
            List.of(new KeyValue("b", Json.tree(2)), new KeyValue("c", Json.tree(3))));
    assertThat(KeyValue.toObject(merged).toString()).isEqualTo("{\"a\":1,\"b\":2,\"c\":3}");
  }

  @Test
  void responseStatusFollowsTheCode() {
    assertThat(ActivationResponse.success(null).status()).isEqualTo("success");
    ActivationResponse app = ActivationResponse.error(ActivationResponse.APPLICATION_ERROR, "x");
    assertThat(app.status()).isEqualTo("application error");
    assertThat(app.success()).isFalse();
    assertThat(ActivationResponse.error(2, "x").status()).isEqualTo("action developer error");
    assertThat(ActivationResponse.whiskError("x").status()).isEqualTo("whisk internal error");
  }

  @Test
  void versionsBumpThePatchNumber() {
    assertThat(SemVer.bump("0.0.1")).isEqualTo("0.0.2");
    assertThat(SemVer.bump("1.2.9")).isEqualTo("1.2.10");
  }

  @Test
  void entitiesSerialiseInOpenWhisksShape() {
    Action a =
        new Action(
            "ns/pkg",
            "a",
            "0.0.1",
            new Exec("nodejs:20", "code", false, null, null, null),
            null,
            null,
            null,
            false,
            5);
    assertThat(Json.write(a))
        .contains(
            "\"namespace\":\"ns/pkg\"",
            "\"exec\":{\"kind\":\"nodejs:20\"",
            "\"limits\":{\"timeout\":60000,\"memory\":256,\"logs\":10,\"concurrency\":1}")
        .doesNotContain("sequence");
    WhiskPackage p = new WhiskPackage("ns", "p", "0.0.1", false, null, null, null, 1);
    assertThat(Json.write(p)).contains("\"binding\":{}");
    assertThat(Json.read(Json.write(p), WhiskPackage.class)).isEqualTo(p);
  }
}

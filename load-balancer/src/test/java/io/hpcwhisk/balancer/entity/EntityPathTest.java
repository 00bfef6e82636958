package io.hpcwhisk.balancer.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EntityPathTest {

  @ParameterizedTest
  @CsvSource({
    "hello, /guest/hello",
    "pkg/hello, /guest/pkg/hello",
    "/other/hello, /other/hello",
    "/other/pkg/hello, /other/pkg/hello",
    "/_/hello, /guest/hello",
    "/_/pkg/hello, /guest/pkg/hello"
  })
  void parsesTheFormsClientsSend(String given, String expected) {
    assertThat(EntityPath.parse(given, "guest")).hasToString(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "hello_world", "my action", "a@b.c-d", "x1"})
  void acceptsOpenWhiskNames(String name) {
    assertThat(EntityPath.isLegalName(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " leading", "trailing ", "semi;colon", "slash/", "a!", "-dash", "ü"})
  void refusesIllegalNames(String name) {
    assertThat(EntityPath.isLegalName(name)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/ns", "/a/b/c/d", "a/b/c", "bad!/x"})
  void refusesMalformedPaths(String given) {
    assertThatThrownBy(() -> EntityPath.parse(given, "guest"))
        .isInstanceOf(IllegalEntityNameException.class);
  }

  @Test
  void namesLongerThan256AreRefusedWithTheLength() {
    assertThatThrownBy(() -> EntityPath.requireName("a".repeat(257), "name"))
        .hasMessageContaining("257 > 256");
  }

  @Test
  void packagedActionShowsItsNamespacePath() {
    EntityPath p = EntityPath.parse("/ns/pkg/act", "x");
    assertThat(p.namespacePath()).isEqualTo("ns/pkg");
    assertThat(p.relativeName()).isEqualTo("pkg/act");
    assertThat(p.path()).isEqualTo("ns/pkg/act");
  }
}

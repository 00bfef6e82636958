package io.hpcwhisk.balancer.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouteTemplateTest {

  @Test
  void literalPathsMatchOnlyThemselves() {
    RouteTemplate t = RouteTemplate.parse("/books");
    assertThat(t.match(List.of("books"))).contains(Map.of());
    assertThat(t.match(List.of("book"))).isEmpty();
    assertThat(t.match(List.of("books", "1"))).isEmpty();
    assertThat(t.match(List.of())).isEmpty();
    assertThat(RouteTemplate.parse("/").match(List.of())).contains(Map.of());
  }

  @Test
  void pathParametersTakeOneDecodedSegmentEach() {
    RouteTemplate t = RouteTemplate.parse("/books/{id}/pages/{page}");
    assertThat(t.parameters()).containsExactly("id", "page");
    assertThat(t.literals()).isEqualTo(2);
    assertThat(t.match(List.of("books", "42", "pages", "7")))
        .contains(Map.of("id", "42", "page", "7"));
    assertThat(t.match(List.of("books", "a%20b", "pages", "x%2Fy")))
        .as("each segment decoded on its own: %2F stays inside the value")
        .contains(Map.of("id", "a b", "page", "x/y"));
    assertThat(t.match(List.of("books", "42", "pages"))).isEmpty();
    assertThat(t.match(List.of("books", "42", "chapters", "7"))).isEmpty();
  }

  @Test
  void requestSegmentsDropTrailingSlashAndRefuseEmptyOnes() {
    assertThat(RouteTemplate.rawSegments("/books/42/")).containsExactly("books", "42");
    assertThat(RouteTemplate.rawSegments("")).isEmpty();
    assertThat(RouteTemplate.rawSegments("/")).isEmpty();
    assertThat(RouteTemplate.rawSegments("/books//42")).isNull();
  }

  @Test
  void basePathsAreNormalisedWithoutTrailingSlash() {
    assertThat(RouteTemplate.checkBasePath("/bookstore/")).isEqualTo("/bookstore");
    assertThat(RouteTemplate.checkBasePath("/v1/shop")).isEqualTo("/v1/shop");
    assertThatThrownBy(() -> RouteTemplate.checkBasePath("/"))
        .hasMessageContaining("'/' is not allowed");
    assertThatThrownBy(() -> RouteTemplate.checkBasePath("/shop/{id}"))
        .as("no parameters in a base path")
        .hasMessageContaining("illegal segment '{id}'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "books",
        "/books/../admin",
        "/books/./x",
        "/books//x",
        "/books/{id}/{id}",
        "/books/{}",
        "/books/{1d}",
        "/books/a b",
        "/books/<script>",
        "/books/%2F",
        "/books;x=1"
      })
  void malformedRelativePathsAreRefusedNamingTheValue(String bad) {
    assertThatThrownBy(() -> RouteTemplate.parse(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("relative path");
  }

  @Test
  void overlongPathsAreRefused() {
    assertThatThrownBy(() -> RouteTemplate.parse("/" + "a".repeat(600)))
        .hasMessageContaining("longer than allowed: 601 > 512");
    assertThatThrownBy(() -> RouteTemplate.parse("/a".repeat(17)))
        .hasMessageContaining("more segments than allowed: 17 > 16");
  }
}

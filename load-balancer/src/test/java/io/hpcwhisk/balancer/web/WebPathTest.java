package io.hpcwhisk.balancer.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.entity.EntityPath;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebPathTest {

  @Test
  void extensionsPackagesAndTheRestOfThePath() {
    WebPath p = WebPath.parse("/api/v1/web/guest/demo/hello.json/response/name").orElseThrow();
    assertThat(p.action()).isEqualTo(new EntityPath("guest", "demo", "hello"));
    assertThat(p.extension()).isEqualTo(WebPath.Extension.JSON);
    assertThat(p.rest()).isEqualTo("/response/name");
    assertThat(p.projection()).containsExactly("response", "name");

    WebPath d = WebPath.parse("/api/v1/web/guest/default/hello").orElseThrow();
    assertThat(d.action()).isEqualTo(EntityPath.of("guest", "hello"));
    assertThat(d.extension()).as("no extension is .http").isEqualTo(WebPath.Extension.HTTP);
    assertThat(d.rest()).isEmpty();

    for (WebPath.Extension e : WebPath.Extension.values()) {
      assertThat(WebPath.parse("/api/v1/web/ns/default/a" + e.suffix()).orElseThrow().extension())
          .isEqualTo(e);
    }
    assertThat(WebPath.parse("/api/v1/web/ns/default/a.b.text").orElseThrow().action().name())
        .isEqualTo("a.b");
    assertThat(WebPath.parse("/api/v1/web/ns/default/a.xml").orElseThrow().action().name())
        .as("an unknown extension is part of the name, as in OpenWhisk")
        .isEqualTo("a.xml");
    assertThat(WebPath.parse("/api/v1/web/ns/p/a%20b.http").orElseThrow().action().name())
        .isEqualTo("a b");
    assertThat(WebPath.parse("/api/v1/web/ns/default/hello/a%2Fb").orElseThrow().projection())
        .isEqualTo(List.of("a/b"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/api/v1/web/",
        "/api/v1/web/guest",
        "/api/v1/web/guest/default",
        "/api/v1/web/guest/default/",
        "/api/v1/web/../default/x",
        "/api/v1/web/guest/../x",
        "/api/v1/web/guest/default/..",
        "/api/v1/web/guest/default/.json",
        "/api/v1/web/%2e%2e/default/x",
        "/api/v1/web/guest%2Fother/default/x",
        "/api/v1/web/guest/default/a%00b",
        "/api/v1/web/guest/default/%",
        "/api/v1/web//default/x",
        "/api/v1/web/gu$st/default/x",
        "/api/v1/namespaces/guest/actions/x"
      })
  void oddOrTraversingPathsNameNoAction(String path) {
    assertThat(WebPath.parse(path)).isEmpty();
  }

  @Test
  void overlongNamesAreRefused() {
    assertThat(WebPath.parse("/api/v1/web/ns/default/" + "a".repeat(257))).isEmpty();
  }
}

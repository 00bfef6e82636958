package io.hpcwhisk.balancer.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricsHandlerTest {

  @ParameterizedTest
  @CsvSource({
    "/, /",
    "/api/v1, /api/v1",
    "/api/v1/namespaces, /api/v1/namespaces",
    "/api/v1/namespaces/_/actions, /api/v1/namespaces/{ns}/actions",
    "/api/v1/namespaces/guest/actions/pkg/hello, /api/v1/namespaces/{ns}/actions/{name}",
    "/api/v1/namespaces/_/activations/abc/logs, /api/v1/namespaces/{ns}/activations/{name}/logs",
    "/api/v1/namespaces/_/bogus/x, /api/v1/namespaces/{ns}/other/{name}",
    "/favicon.ico, other"
  })
  void routesAreShapesNotNames(String path, String route) {
    assertThat(MetricsHandler.route(path)).isEqualTo(route);
  }

  @ParameterizedTest
  @CsvSource({
    "GET, GET",
    "PUT, PUT",
    "OPTIONS, OPTIONS",
    "get, other",
    "BREW, other",
    "M1X, other",
    "PROPFIND, other"
  })
  void unknownMethodsAreOther(String method, String label) {
    assertThat(MetricsHandler.method(method)).isEqualTo(label);
  }
}

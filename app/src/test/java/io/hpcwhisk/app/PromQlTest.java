package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void metricNamesLeaveOutFunctionsLabelsRangesGroupingAndNumbers() {
    assertThat(
            PromQl.metricNames(
                "histogram_quantile(0.99, sum by (le) (rate(whisk_activation_latency_seconds_bucket"
                    + "{outcome=\"success\"}[5m])))"))
        .containsExactly("whisk_activation_latency_seconds_bucket");
    assertThat(
            PromQl.metricNames(
                "sum(rate(a_total[5m])) / clamp_min(sum(rate(b_total[5m])) + c, 1e-9)"))
        .containsExactly("a_total", "b_total", "c");
    assertThat(PromQl.metricNames("avg_over_time((x + y)[5m:]) / on (job) z"))
        .containsExactly("x", "y", "z");
  }

  @Test
  void exposedNamesComeFromSampleLines() {
    assertThat(PromQl.exposed("# HELP a x\n# TYPE a counter\na_total{k=\"v\"} 1.0\nb 2\n"))
        .containsExactly("a_total", "b");
  }
}

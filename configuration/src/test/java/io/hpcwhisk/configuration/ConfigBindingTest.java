package io.hpcwhisk.configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One test per class of error, showing the message the user gets. */
class ConfigBindingTest {

  /**
   * A section as the components write theirs: nullable components, defaults and checks in one line
   * each.
   */
  record Harvest(
      Duration interval,
      Integer maxSubmissionsPerPass,
      String policy,
      Boolean dryRun,
      List<String> extraOptions,
      Optional<String> qos,
      String balancerUrl)
      implements Copyable<Harvest> {
    Harvest {
      interval =
          Check.duration(
              "harvest.interval", interval, Duration.ofSeconds(5), Duration.ofMillis(100), null);
      maxSubmissionsPerPass =
          Check.range(
              "harvest.max-submissions-per-pass", maxSubmissionsPerPass, 50, 1, Integer.MAX_VALUE);
      policy = Check.oneOf("harvest.policy", policy, "adaptive", "fib", "var", "adaptive");
      dryRun = Check.orDefault(dryRun, false);
      extraOptions = extraOptions == null ? List.of() : List.copyOf(extraOptions);
      qos = qos == null ? Optional.empty() : qos;
    }
  }

  private static Harvest bind(String yaml) {
    return ConfigBinding.section(ConfigFile.parse(yaml), "harvest", Harvest.class);
  }

  @Test
  void missingKeysTakeTheirDefaults() {
    Harvest h = bind("harvest:\n");
    assertThat(h).isEqualTo(new Harvest(null, null, null, null, null, null, null));
    assertThat(h.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(h.dryRun()).isFalse();
    assertThat(
            bind("harvest: {interval: 90s, dry-run: yes, qos: gold, extra-options: [--exclusive]}"))
        .isEqualTo(
            new Harvest(
                Duration.ofSeconds(90),
                50,
                "adaptive",
                true,
                List.of("--exclusive"),
                Optional.of("gold"),
                null));
  }

  @Test
  void anEmptyValueIsUnsetAndAQuotedEmptyTextStaysText() {
    assertThat(
            ConfigFile.parse("harvest:\n  policy:\n  qos: \"\"\n")
                .path("harvest")
                .path("policy")
                .isNull())
        .isTrue();
    assertThat(bind("harvest:\n  policy:\n  qos: \"\"\n").qos()).contains("");
  }

  @Test
  void unknownKeyNamesTheKeyAndTheNearestKnownOne() {
    assertThatThrownBy(() -> bind("harvest:\n  intervall: 5s\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("harvest.intervall: unknown key (did you mean harvest.interval?)");
  }

  @Test
  void wrongTypeNamesTheKeyAndTheExpectedType() {
    assertThatThrownBy(() -> bind("harvest:\n  max-submissions-per-pass: many\n"))
        .hasMessage("harvest.max-submissions-per-pass: \"many\" is not a whole number");
    assertThatThrownBy(() -> bind("harvest:\n  max-submissions-per-pass: 1.5\n"))
        .hasMessage("harvest.max-submissions-per-pass: 1.5 is not a whole number");
    assertThatThrownBy(() -> bind("harvest:\n  policy: {name: fib}\n"))
        .hasMessage("harvest.policy: a mapping is not text");
    assertThatThrownBy(() -> bind("harvest:\n  extra-options: --exclusive\n"))
        .hasMessage("harvest.extra-options: \"--exclusive\" is not a list");
    assertThatThrownBy(() -> bind("harvest:\n  dry-run: maybe\n"))
        .hasMessage("harvest.dry-run: \"maybe\" is not true or false");
    assertThatThrownBy(() -> bind("harvest: [a, b]\n"))
        .hasMessage("harvest: a list is not a mapping");
    assertThatThrownBy(() -> bind("harvest:\n  max-submissions-per-pass: 99999999999\n"))
        .hasMessage(
            "harvest.max-submissions-per-pass: 99999999999 is out of range (expected a whole number"
                + " up to 2147483647)");
  }

  @Test
  void badDurationNamesTheKeyAndShowsAnExample() {
    assertThatThrownBy(() -> bind("harvest:\n  interval: fast\n"))
        .hasMessage("harvest.interval: \"fast\" is not a duration (expected e.g. 5s, 1m)");
    assertThatThrownBy(() -> bind("harvest:\n  interval: 5\n"))
        .hasMessage("harvest.interval: \"5\" is not a duration (expected e.g. 5s, 1m)");
  }

  @Test
  void outOfRangeNumberNamesTheKeyAndTheRange() {
    assertThatThrownBy(() -> bind("harvest:\n  max-submissions-per-pass: 0\n"))
        .hasMessage("harvest.max-submissions-per-pass: 0 is out of range (expected at least 1)");
    assertThatThrownBy(() -> bind("harvest:\n  interval: 10ms\n"))
        .hasMessage("harvest.interval: 10ms is out of range (expected at least 100ms)");
  }

  @Test
  void missingRequiredValueNamesTheKeyAndWhatToWrite() {
    assertThatThrownBy(
            () ->
                Check.required(
                    "pilot.balancer-url",
                    bind("harvest:\n").balancerUrl(),
                    "ws://HOST:PORT/pilot/v1"))
        .hasMessage("pilot.balancer-url: missing (expected ws://HOST:PORT/pilot/v1)");
  }

  @Test
  void badEnumValueNamesTheKeyAndTheChoices() {
    assertThatThrownBy(() -> bind("harvest:\n  policy: fibonacci\n"))
        .hasMessage("harvest.policy: \"fibonacci\" is not one of: fib, var, adaptive");
  }

  @Test
  void copyWithChangesOneComponentAndKeepsEveryOther() {
    Harvest h =
        bind(
            "harvest: {interval: 90s, dry-run: yes, qos: gold, extra-options: [--exclusive],"
                + " policy: fib}");
    Harvest changed = h.with(Harvest::maxSubmissionsPerPass, 7);
    assertThat(changed)
        .isEqualTo(
            new Harvest(
                Duration.ofSeconds(90),
                7,
                "fib",
                true,
                List.of("--exclusive"),
                Optional.of("gold"),
                null));
    assertThatThrownBy(() -> h.with(Harvest::maxSubmissionsPerPass, 0))
        .hasMessage("harvest.max-submissions-per-pass: 0 is out of range (expected at least 1)");
  }
}

package io.hpcwhisk.core.arch;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import io.hpcwhisk.archfixture.ReadsTheWallClock;
import io.hpcwhisk.archfixture.UsesThreadLocalRandom;
import io.hpcwhisk.archfixture.UsesTimeAsInput;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shows that the core rules fail on code that breaks them: the fixtures in {@code
 * io.hpcwhisk.archfixture} stand in for core classes, and each rule must flag exactly the fixtures
 * that break it.
 */
class CoreArchitectureRulesTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(ReadsTheWallClock.class, "readsNoWallClock", true),
        Arguments.of(UsesThreadLocalRandom.class, "usesNoUnseededRandomness", true),
        Arguments.of(UsesThreadLocalRandom.class, "readsNoWallClock", false),
        Arguments.of(UsesTimeAsInput.class, "readsNoWallClock", false),
        Arguments.of(UsesTimeAsInput.class, "usesNoUnseededRandomness", false),
        Arguments.of(UsesTimeAsInput.class, "dependsOnJdkOnly", false),
        Arguments.of(CoreArchitectureRulesTest.class, "dependsOnJdkOnly", true));
  }

  @ParameterizedTest(name = "{1} flags {0}: {2}")
  @MethodSource("cases")
  void ruleFlagsExactlyTheViolations(Class<?> fixture, String rule, boolean violates) {
    JavaClasses classes = new ClassFileImporter().importClasses(fixture);
    String pkg = fixture.getPackageName();
    EvaluationResult result =
        switch (rule) {
          case "readsNoWallClock" -> CoreArchitectureRules.readsNoWallClock(pkg).evaluate(classes);
          case "usesNoUnseededRandomness" ->
              CoreArchitectureRules.usesNoUnseededRandomness(pkg).evaluate(classes);
          case "dependsOnJdkOnly" -> CoreArchitectureRules.dependsOnJdkOnly(pkg).evaluate(classes);
          default -> throw new IllegalArgumentException(rule);
        };
    assertThat(result.hasViolation()).as(result.getFailureReport().toString()).isEqualTo(violates);
    if (violates) {
      assertThat(result.getFailureReport().getDetails())
          .anySatisfy(d -> assertThat(d).contains(fixture.getSimpleName()));
    }
  }
}

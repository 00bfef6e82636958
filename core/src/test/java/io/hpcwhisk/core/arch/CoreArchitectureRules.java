package io.hpcwhisk.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The rules that keep {@code core/} pure: it depends on the JDK only, and it never reads the wall
 * clock or an unseeded random source (time and randomness are inputs). {@link CoreArchitectureTest}
 * applies them to the real core; {@link CoreArchitectureRulesTest} shows they catch violations.
 */
final class CoreArchitectureRules {

  private CoreArchitectureRules() {}

  /** Core classes may depend on the JDK and on each other, nothing else. */
  static ArchRule dependsOnJdkOnly(String corePackage) {
    return noClasses()
        .that()
        .resideInAPackage(corePackage + "..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages(corePackage + "..", "java..")
        .because("core/ is the pure domain: Slurm, HTTP, JSON and metrics live in adapters");
  }

  /**
   * No wall-clock reads: Instant.now(), System.currentTimeMillis()/nanoTime(), new Date(), now() of
   * java.time, system clocks.
   */
  static ArchRule readsNoWallClock(String corePackage) {
    return noClasses()
        .that()
        .resideInAPackage(corePackage + "..")
        .should()
        .callMethod(Instant.class, "now")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callConstructor(Date.class)
        .orShould()
        .callMethod(LocalDateTime.class, "now")
        .orShould()
        .callMethod(LocalDate.class, "now")
        .orShould()
        .callMethod(LocalTime.class, "now")
        .orShould()
        .callMethod(ZonedDateTime.class, "now")
        .orShould()
        .callMethod(OffsetDateTime.class, "now")
        .orShould()
        .callMethod(Clock.class, "systemUTC")
        .orShould()
        .callMethod(Clock.class, "systemDefaultZone")
        .because("time is an input in core/: pass an Instant or an InstantSource");
  }

  /** No unseeded randomness: ThreadLocalRandom, Math.random(). */
  static ArchRule usesNoUnseededRandomness(String corePackage) {
    return noClasses()
        .that()
        .resideInAPackage(corePackage + "..")
        .should()
        .dependOnClassesThat()
        .areAssignableTo(ThreadLocalRandom.class)
        .orShould()
        .callMethod(Math.class, "random")
        .because("randomness is an input in core/: pass a seeded RandomGenerator");
  }
}

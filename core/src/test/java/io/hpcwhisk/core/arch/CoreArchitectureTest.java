package io.hpcwhisk.core.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Applies {@link CoreArchitectureRules} to the production classes of {@code core/}. */
class CoreArchitectureTest {

  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.hpcwhisk.core");
  }

  @Test
  void coreDependsOnTheJdkOnly() {
    CoreArchitectureRules.dependsOnJdkOnly("io.hpcwhisk.core").allowEmptyShould(true).check(core);
  }

  @Test
  void coreReadsNoWallClock() {
    CoreArchitectureRules.readsNoWallClock("io.hpcwhisk.core").allowEmptyShould(true).check(core);
  }

  @Test
  void coreUsesNoUnseededRandomness() {
    CoreArchitectureRules.usesNoUnseededRandomness("io.hpcwhisk.core")
        .allowEmptyShould(true)
        .check(core);
  }
}

package io.hpcwhisk.core.harvest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of the harvest domain: snapshot types know nothing of policies; policies are found by
 * name.
 */
class HarvestArchitectureTest {

  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.hpcwhisk.core");
  }

  @Test
  void theClusterModelDoesNotDependOnHarvesting() {
    noClasses()
        .that()
        .resideInAPackage("io.hpcwhisk.core.cluster..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.hpcwhisk.core.harvest..")
        .because("snapshots and windows are shared by every policy, the simulator and the adapters")
        .check(core);
  }

  @Test
  void policiesAreReachedOnlyThroughHarvestPolicies() {
    classes()
        .that()
        .implement(HarvestPolicy.class)
        .should()
        .notHaveModifier(JavaModifier.PUBLIC)
        .because("callers pick a policy by name with typed parameters (HarvestPolicies.create)")
        .check(core);
  }

  @Test
  void valuesAreRecords() {
    classes()
        .that()
        .implement(Intent.class)
        .or()
        .implement(PolicyParams.class)
        .should()
        .beRecords()
        .check(core);
  }
}

package io.hpcwhisk.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test ({@code *IT}) that runs against a real local Slurm cluster: tagged
 * {@code slurm} (run them alone with {@code mvn verify -Dgroups=slurm}) and extended with {@link
 * LocalSlurmExtension}. Test methods may take a {@link SlurmEnv} parameter.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("slurm")
@ExtendWith(LocalSlurmExtension.class)
public @interface SlurmTest {}

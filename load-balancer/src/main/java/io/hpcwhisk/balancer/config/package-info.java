/**
 * The server's typed configuration: the {@code api:} and {@code store:} sections of
 * {@code config/hpc-whisk.yaml} as records with every default written next to its field. Other
 * sections of the shared file belong to other components and are ignored here.
 */
package io.hpcwhisk.balancer.config;

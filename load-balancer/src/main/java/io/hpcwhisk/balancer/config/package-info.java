/**
 * The server's typed configuration: the {@code api:}, {@code store:}, {@code balancer:} and {@code
 * http:} sections of {@code config/hpc-whisk.yaml} as records with every default written next to
 * its field, read by the one configuration reader ({@code io.hpcwhisk.configuration}). Other
 * sections belong to other components.
 */
package io.hpcwhisk.balancer.config;

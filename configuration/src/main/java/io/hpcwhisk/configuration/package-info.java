/**
 * The one reader of {@code hpc-whisk.yaml}: {@link io.hpcwhisk.configuration.ConfigFile} reads a file with
 * limits (size, aliases, nesting, permissions), {@link io.hpcwhisk.configuration.ConfigBinding} binds a section
 * into the owning component's record and turns every failure into one {@link
 * io.hpcwhisk.configuration.ConfigException} line that names the dotted key and what was expected. The records
 * themselves live with their components; each applies its defaults and checks with {@link
 * io.hpcwhisk.configuration.Check} in its compact constructor.
 */
package io.hpcwhisk.configuration;

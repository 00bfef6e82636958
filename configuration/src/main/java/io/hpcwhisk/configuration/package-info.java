/**
 * The one reader of {@code hpc-whisk.yaml}: {@link io.hpcwhisk.configuration.ConfigFile} reads a
 * file with limits (size, aliases, nesting, permissions), {@link
 * io.hpcwhisk.configuration.ConfigBinding} binds a section into the owning component's record and
 * turns every failure into one {@link io.hpcwhisk.configuration.ConfigException} line that names
 * the dotted key and what was expected. The records themselves live with their components; each
 * applies its defaults and checks with {@link io.hpcwhisk.configuration.Check} in its compact
 * constructor.
 *
 * <p>Adding a key: a component in the section's record (the key is the component's name in kebab
 * case: {@code Boolean holdFreedNodes} in {@code HarvestConfig.Harvest} is {@code
 * harvest.hold-freed-nodes}; a nested record is a nested mapping), one {@code Check} line in its
 * compact constructor for the default and the range, and a row in the configuration reference of
 * {@code docs/admin-guide.md} ({@code ConfigurationReferenceTest} fails until the row is there with
 * the same default). Code that changes one value uses {@link
 * io.hpcwhisk.configuration.Copyable#with}, so no call site lists the components. A new top-level
 * section also goes into {@link io.hpcwhisk.configuration.ConfigFile#SECTIONS}.
 */
package io.hpcwhisk.configuration;

/**
 * A site's Slurm settings for {@code simulate schedule}: {@link
 * io.hpcwhisk.simulator.site.SlurmConf} reads the scheduling lines of a real {@code slurm.conf}
 * ({@code --slurm-conf FILE}) or of a profile in {@code config/site-profiles/} ({@code
 * --site-profile NAME}) into {@link io.hpcwhisk.simulator.site.SiteSettings}.
 */
package io.hpcwhisk.simulator.site;

/**
 * The harvest controller: its typed YAML configuration ({@link
 * io.hpcwhisk.slurm.controller.HarvestConfig}, sections {@code slurm:} and {@code harvest:}), one
 * reconcile pass ({@link io.hpcwhisk.slurm.controller.ReconcilePass}: observe → snapshot → policy →
 * intents → submit/cancel), the tracking of our pilots across passes ({@link
 * io.hpcwhisk.slurm.controller.PilotTracker}), its Micrometer metrics ({@link
 * io.hpcwhisk.slurm.controller.HarvestMetrics}) and the Quartz-scheduled loop with its small
 * start/close API ({@link io.hpcwhisk.slurm.controller.HarvestController}).
 */
package io.hpcwhisk.slurm.controller;

/**
 * The durable store behind two ports: {@link io.hpcwhisk.balancer.store.EntityStore} for actions,
 * packages, triggers and rules, and {@link io.hpcwhisk.balancer.store.ActivationStore} for accepted
 * (pending) activations and terminal activation records. The embedded default is one H2 MVStore
 * file under the server's data directory; a server database can implement the same ports later. The
 * same file keeps the bindings of pilot credentials to their Slurm jobs ({@link
 * io.hpcwhisk.balancer.store.PilotBindingStore}), so that a restart neither loses nor revives one.
 */
package io.hpcwhisk.balancer.store;

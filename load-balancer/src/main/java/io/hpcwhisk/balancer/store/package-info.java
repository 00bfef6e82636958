/**
 * The durable store behind two ports: {@link io.hpcwhisk.balancer.store.EntityStore} for actions,
 * packages, triggers and rules, and {@link io.hpcwhisk.balancer.store.ActivationStore} for accepted
 * (pending) activations and terminal activation records. The embedded default is one H2 MVStore
 * file under the server's data directory with a write-ahead journal; a server database can
 * implement the same ports later. Hostile input never bricks a start: the data directory is the
 * server user's only ({@link io.hpcwhisk.balancer.store.DataDirectory}), journal replay goes on
 * past a damaged batch, an entry that does not read back is quarantined, and a store that fails for
 * good ends the process ({@link io.hpcwhisk.balancer.store.FatalStoreError}). The same file keeps
 * the bindings of pilot credentials to their Slurm jobs ({@link
 * io.hpcwhisk.balancer.store.PilotBindingStore}), so that a restart neither loses nor revives one.
 */
package io.hpcwhisk.balancer.store;

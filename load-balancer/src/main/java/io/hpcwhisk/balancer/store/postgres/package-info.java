/**
 * The PostgreSQL store ({@code store.kind: postgres}): entities, pending activations, terminal
 * records and pilot bindings in tables created by Flyway migrations ({@code db/migration}), over a
 * HikariCP pool with a connection timeout. Every statement is parameterised. {@link
 * io.hpcwhisk.balancer.store.postgres.LeaderElection} elects the one server that runs the harvest
 * controller (a session-level advisory lock on a connection of its own, outside the pool).
 */
package io.hpcwhisk.balancer.store.postgres;

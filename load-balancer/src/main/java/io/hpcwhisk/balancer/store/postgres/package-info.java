/**
 * The PostgreSQL store ({@code store.kind: postgres}): entities, pending activations, terminal
 * records and pilot bindings in tables created by Flyway migrations ({@code db/migration}), over a
 * HikariCP pool with a connection timeout. Every statement is parameterised.
 */
package io.hpcwhisk.balancer.store.postgres;

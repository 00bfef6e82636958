/**
 * A private PostgreSQL 15 cluster on one machine ({@link
 * io.hpcwhisk.localcluster.postgres.PrivatePostgres}): {@code initdb} and {@code postgres} from
 * Debian's {@code postgresql} package in a directory of its own, on a free loopback port. {@code
 * hpc-whisk up --ha}, the test kit's {@code PostgresCluster} and the benchmarks all use it.
 */
package io.hpcwhisk.localcluster.postgres;

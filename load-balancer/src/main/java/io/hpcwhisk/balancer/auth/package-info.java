/**
 * Authentication with OpenWhisk keys ({@code uuid:key} in HTTP Basic auth): the identities (subject,
 * namespace, key) in a small JSON file under the data directory that {@code hpc-whisk admin user}
 * edits and the running server re-reads when it changes, and the check of a request's header.
 */
package io.hpcwhisk.balancer.auth;

/**
 * Authentication with OpenWhisk keys ({@code uuid:key} in HTTP Basic auth): the users (subject,
 * namespace, a salted HMAC-SHA256 digest of the key, never the key) in a small JSON file under the
 * data directory that {@code hpc-whisk admin user} edits and the running server re-reads when it
 * changes, the constant-time check of a request's key, and the short-lived keys issued to running
 * activations (which carry the activation as the origin of the calls made with them).
 */
package io.hpcwhisk.balancer.auth;

/**
 * The OpenWhisk-compatible API, the entity and activation store, the pilot registry, routing and
 * re-dispatch.
 */
package io.hpcwhisk.balancer;

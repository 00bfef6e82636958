/**
 * The OpenWhisk entities as values: names and their validation, actions with their exec and limits,
 * packages and bindings, triggers, rules and activation records. Each record is also its own JSON
 * shape on the wire and in the store (Jackson serialises the record components in order).
 */
package io.hpcwhisk.balancer.entity;

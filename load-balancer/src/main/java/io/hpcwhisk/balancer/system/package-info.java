/**
 * The built-in public entities of the {@code whisk.system} namespace: the {@code utils} package
 * with echo, cat, sort, head, split, date and namespace as real Node.js actions, written at server
 * start.
 */
package io.hpcwhisk.balancer.system;

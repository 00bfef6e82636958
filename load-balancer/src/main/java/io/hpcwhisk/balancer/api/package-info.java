/**
 * The OpenWhisk REST API v1 on Jetty's core handler API: {@link
 * io.hpcwhisk.balancer.api.ApiHandler} authenticates, routes {@code
 * /api/v1/namespaces/{ns}/{collection}/...} to one class per collection and turns every refusal
 * into OpenWhisk's {@code {"error", "code"}} body; blocking invocations wait asynchronously,
 * without holding a server thread.
 */
package io.hpcwhisk.balancer.api;

/**
 * The balancer's pilot side: the WebSocket endpoint pilots connect to ({@code /pilot/v1}), the
 * job-scoped credentials the controller hands to pilot jobs, and the connection abstraction the
 * dispatcher talks through (a Jetty session in production, a fake in tests).
 */
package io.hpcwhisk.balancer.pilots;

/**
 * OpenWhisk's web actions: {@code /api/v1/web/{namespace}/{package|default}/{action}.{ext}}
 * answered by running an action annotated {@code web-export} as an activation of its owner. {@link
 * io.hpcwhisk.balancer.web.WebPath} parses the URL, {@link io.hpcwhisk.balancer.web.WebParams}
 * builds the action's argument from the HTTP request, {@link io.hpcwhisk.balancer.web.WebResult}
 * turns the activation's result into an HTTP response, and {@link
 * io.hpcwhisk.balancer.web.WebActionsHandler} is the Jetty handler that ties them together.
 */
package io.hpcwhisk.balancer.web;

/**
 * API routes (OpenWhisk's API gateway, served by the balancer itself): {@link
 * io.hpcwhisk.balancer.routes.ApiRoutesHandler} answers the npm client's {@code routes} calls
 * ({@code /api/v1/web/whisk.system/apimgmt/createApi|getApi|deleteApi}) and serves each route at
 * {@code /api/gw/{namespace}{basePath}{relPath}} by calling the mapped web action; {@link
 * io.hpcwhisk.balancer.routes.ApiDocs} builds and checks the swagger documents and {@link
 * io.hpcwhisk.balancer.routes.RouteTemplate} matches request paths against {@code /books/{id}}.
 */
package io.hpcwhisk.balancer.routes;

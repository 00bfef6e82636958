/**
 * TLS for the API and the pilots' port: PEM certificates and keys read with Bouncy Castle ({@link
 * PemFiles}), the server's {@code SslContextFactory} that reloads them when they change ({@link
 * ServerTls}), and the local certificate authority {@code hpc-whisk up --tls} and the tests make
 * ({@link LocalCa}).
 */
package io.hpcwhisk.balancer.tls;

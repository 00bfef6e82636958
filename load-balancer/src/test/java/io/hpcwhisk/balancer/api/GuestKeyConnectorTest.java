package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.auth.Identity;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * OpenWhisk's public guest key is accepted only on loopback connectors ({@code api.guest} with
 * {@code api.host: 127.0.0.1,10.x}); a key the server issued to a guest activation is not the
 * public key and works on every connector. The attack on a real non-loopback connector is in {@code
 * IsolatedTlsEndToEndIT} (the cluster network's host side answers 401).
 */
class GuestKeyConnectorTest {

  @Test
  void onlyLoopbackConnectorsCountAsLoopback() {
    assertThat(Callers.onLoopback(new InetSocketAddress("127.0.0.1", 3233))).isTrue();
    assertThat(Callers.onLoopback(new InetSocketAddress("127.8.9.10", 3233))).isTrue();
    assertThat(Callers.onLoopback(new InetSocketAddress("::1", 3233))).isTrue();
    assertThat(Callers.onLoopback(new InetSocketAddress("10.20.0.1", 3233))).isFalse();
    assertThat(Callers.onLoopback(new InetSocketAddress("192.168.213.1", 3233))).isFalse();
    assertThat(Callers.onLoopback(InetSocketAddress.createUnresolved("localhost", 3233)))
        .as("an unresolved address is not trusted")
        .isFalse();
    assertThat(Callers.onLoopback(null)).isFalse();
  }

  @Test
  void onlyThePublicKeyItselfIsTheGuestKey() {
    assertThat(Callers.isPublicGuestKey(Identity.GUEST.uuid(), Identity.GUEST.key())).isTrue();
    assertThat(Callers.isPublicGuestKey(Identity.GUEST.uuid(), "activation-key")).isFalse();
    assertThat(Callers.isPublicGuestKey("other", Identity.GUEST.key())).isFalse();
  }
}

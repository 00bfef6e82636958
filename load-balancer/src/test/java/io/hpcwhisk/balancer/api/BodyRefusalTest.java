package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.config.HttpConfig;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The one answer every handler gives to a body that could not be read. */
class BodyRefusalTest {

  private final BodyReader bodies = new BodyReader(HttpConfig.DEFAULT, 1_000, 50_000);

  @Test
  void anOversizeBodyIs413NamingItsSizeAndTheLimitOfItsKind() {
    assertThat(bodies.refusal(new BodyReader.Outcome.TooLarge(2_000), false, "for this key"))
        .contains(
            new BodyReader.Refusal(413, "Request larger than allowed: 2000 > 1000 bytes.", false));
    assertThat(bodies.refusal(new BodyReader.Outcome.TooLarge(60_000), true, "for this key"))
        .contains(
            new BodyReader.Refusal(
                413, "Request larger than allowed: 60000 > 50000 bytes.", false));
  }

  @Test
  void aSlowBodyIs408WithItsReasonAndClosesTheConnection() {
    assertThat(bodies.refusal(new BodyReader.Outcome.TooSlow("too slow: 3 B/s"), false, "x"))
        .contains(new BodyReader.Refusal(408, "too slow: 3 B/s", true));
  }

  @Test
  void tooManyBodiesAtOnceIs429NamingTheLimitAndWhoseItIsAndClosesTheConnection() {
    assertThat(bodies.refusal(new BodyReader.Outcome.Busy(16), false, "from this address"))
        .contains(
            new BodyReader.Refusal(
                429,
                "Too many requests with a body still arriving from this address: at most 16 at"
                    + " once. Retry when one of them has finished.",
                true));
  }

  @Test
  void aBodyOrAFailedReadIsNoRefusal() {
    assertThat(bodies.refusal(new BodyReader.Outcome.Body(new byte[1]), false, "x")).isEmpty();
    assertThat(bodies.refusal(new BodyReader.Outcome.Failed(new IOException("gone")), false, "x"))
        .isEmpty();
  }
}

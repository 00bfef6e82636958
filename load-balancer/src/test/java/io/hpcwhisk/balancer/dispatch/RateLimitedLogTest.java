package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {

  @Test
  void logsOneLinePerKeyAndIntervalAndSaysHowManyItLeftOut() {
    Logger logger = (Logger) LoggerFactory.getLogger("rate-limited-log-test");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    AtomicLong now = new AtomicLong(1_000_000);
    RateLimitedLog log = new RateLimitedLog(logger, () -> Instant.ofEpochMilli(now.get()), 10_000);
    for (int i = 0; i < 5; i++) {
      log.warn("a", "dropped {}", i);
      log.warn("b", "other {}", i);
      now.addAndGet(1_000);
    }
    now.addAndGet(5_000);
    log.warn("a", "dropped {}", 99);
    assertThat(lines.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "dropped 0",
            "other 0",
            "dropped 99 (4 more like it since the last such line, not logged)");
    logger.detachAppender(lines);
  }
}

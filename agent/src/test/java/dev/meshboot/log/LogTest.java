package dev.meshboot.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogTest {

  @AfterEach
  void reset() {
    Log.configure(Log.Level.INFO, false);
    Log.redirect(System.err);
  }

  @Test
  void timestampsMatchInstantToString() {
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      long millis = Math.floorMod(random.nextLong(), 8_000_000_000_000L);
      String expected = Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.MILLIS).toString();
      if (millis % 1000 == 0) {
        expected = expected.replace("Z", ".000Z");
      }
      assertThat(Log.timestamp(millis)).isEqualTo(expected);
    }
  }

  @Test
  void writesKeyValueTextAndJsonLines() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Log.redirect(new PrintStream(out, true, StandardCharsets.UTF_8));
    Log log = Log.of(LogTest.class);
    log.info("wrote bootstrap", "file", "/tmp/a b.json", "format", "json");
    log.debug("hidden");
    Log.configure(Log.Level.DEBUG, true);
    log.debug("shown", "key", "line\nbreak");
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0])
        .endsWith(" INFO  LogTest: wrote bootstrap file=\"/tmp/a b.json\" format=json");
    assertThat(lines[1])
        .startsWith("{\"time\":\"")
        .endsWith(
            "\"level\":\"DEBUG\",\"logger\":\"LogTest\",\"msg\":\"shown\",\"key\":\"line\\nbreak\"}");
  }

  @Test
  void neverShowsTheUserInformationOfAUrl() {
    assertThat(Log.withoutUserInfo("fetch http://user:s3cret@169.254.170.23/creds failed"))
        .isEqualTo("fetch http://***@169.254.170.23/creds failed");
    assertThat(Log.withoutUserInfo("no url, user@example.com"))
        .isEqualTo("no url, user@example.com");
    assertThat(
            new dev.meshboot.config.ConfigException(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "bad: https://a:b@host:1/x")
                .getMessage())
        .isEqualTo("bad: https://***@host:1/x");
  }
}

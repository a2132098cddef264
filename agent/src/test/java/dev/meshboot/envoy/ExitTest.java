package dev.meshboot.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExitTest {

  @ParameterizedTest
  @CsvSource({
    "0, true, false, false, CLEAN",
    "143, true, false, false, SIGNAL",
    "137, true, false, false, SIGNAL",
    "137, true, true, false, OOM_KILLED",
    "139, true, false, false, CRASH",
    "134, true, false, false, CRASH",
    "1, true, false, false, CRASH",
    "1, false, false, true, CONFIG_REJECTED",
    "1, true, false, true, CRASH",
    "139, false, false, true, CRASH",
    "1, false, false, false, CRASH",
  })
  void classifiesEveryKindOfExit(
      int code, boolean live, boolean oom, boolean rejectedLine, Exit.Classification expected) {
    List<String> tail =
        rejectedLine
            ? List.of("[critical][main] error initializing configuration '/b.json': cannot bind")
            : List.of("x");
    Exit exit = Exit.classify(code, live, oom, Instant.EPOCH, Duration.ofMillis(3200), tail);
    assertThat(exit.classification()).isEqualTo(expected);
    assertThat(exit.signal()).isEqualTo(code > 128 ? code - 128 : 0);
  }

  @ParameterizedTest
  @CsvSource({"139, 'crash (exit 139, signal 11) after 3.2s'", "1, 'crash (exit 1) after 3.2s'"})
  void describesItselfInOneLine(int code, String expected) {
    assertThat(
            Exit.classify(code, true, false, Instant.EPOCH, Duration.ofMillis(3200), List.of())
                .describe())
        .isEqualTo(expected);
  }
}

package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every scenario's bootstrap (or error) against its golden file in {@code
 * src/test/resources/golden}. Regenerate on purpose with {@code -Dgolden.update=true} and review
 * the diff.
 */
class GoldenBootstrapTest {

  static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static Stream<String> scenarios() throws IOException {
    return Scenarios.names();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void rendersTheGoldenBootstrap(String scenario, @TempDir Path tmp) throws IOException {
    Scenarios.Run run = Scenarios.run(scenario, tmp, "bootstrap");
    Path golden = Scenarios.GOLDEN.resolve(scenario + (run.exitCode() == 0 ? ".json" : ".error"));
    if (UPDATE) {
      Files.deleteIfExists(Scenarios.GOLDEN.resolve(scenario + ".json"));
      Files.deleteIfExists(Scenarios.GOLDEN.resolve(scenario + ".error"));
      Files.writeString(golden, run.golden());
    }
    assertThat(golden).as("golden file (create it with -Dgolden.update=true)").exists();
    assertThat(run.golden()).isEqualTo(Files.readString(golden));
    if (scenario.startsWith("error-")) {
      assertThat(run.exitCode()).isNotZero();
    } else {
      assertThat(run.exitCode()).as(run.stderr()).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void leavesThePreviousFileUntouchedOnError(String scenario, @TempDir Path tmp) {
    Scenarios.Run run = Scenarios.run(scenario, tmp, "bootstrap");
    if (run.exitCode() != 0) {
      assertThat(run.output()).isEqualTo("previous\n");
      assertThat(run.stdout()).isEmpty();
    } else {
      assertThat(run.output()).startsWith("{");
    }
  }
}

package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's variable reference is generated from {@link dev.meshboot.config.Variables}; this
 * test fails when they drift. {@code -Dgolden.update=true} rewrites the table.
 */
class ReadmeTest {

  static final Path README = Path.of("../README.md");
  static final String BEGIN =
      "<!-- variables:begin (generated from Variables.java; mvn test -Dgolden.update=true) -->\n";
  static final String END = "<!-- variables:end -->";

  @Test
  void theVariableReferenceMatchesTheCode() throws IOException {
    String readme = Files.readString(README);
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    assertThat(begin).as("README has the variables markers").isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String table = readme.substring(begin + BEGIN.length(), end);
    String expected = Help.variablesMarkdown();
    if (GoldenBootstrapTest.UPDATE && !table.equals(expected)) {
      Files.writeString(
          README, readme.substring(0, begin + BEGIN.length()) + expected + readme.substring(end));
      table = expected;
    }
    assertThat(table).isEqualTo(expected);
  }

  @Test
  void theExitCodesAreDocumented() throws IOException {
    String readme = Files.readString(README);
    for (ExitCode code : ExitCode.values()) {
      assertThat(readme).contains("| " + code.code() + " | " + code.meaning() + " |");
    }
  }
}

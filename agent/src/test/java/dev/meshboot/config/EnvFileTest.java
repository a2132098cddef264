package dev.meshboot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvFileTest {

  @Test
  void readsDockerStyleLines(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("a.env"), "# comment\n\nA=1\nB = two=2\nC=\n");
    assertThat(EnvFile.read(file))
        .containsEntry("A", "1")
        .containsEntry("B", " two=2")
        .containsEntry("C", "")
        .hasSize(3);
  }

  @Test
  void namesTheLineItCannotRead(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("a.env"), "A=1\nnot a variable\n");
    assertThatThrownBy(() -> EnvFile.read(file))
        .hasMessageContaining("line 2")
        .hasMessageContaining("expected NAME=value");
  }

  @Test
  void saysWhenTheFileIsMissing(@TempDir Path tmp) {
    assertThatThrownBy(() -> EnvFile.read(tmp.resolve("nope.env")))
        .hasMessageContaining("does not exist");
  }
}

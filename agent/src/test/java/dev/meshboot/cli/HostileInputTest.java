package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files a variable or option names may be FIFOs without a writer, devices, huge, deep, binary or
 * missing: every such file ends {@code meshboot bootstrap} within bounded time and memory with exit
 * 3 or 4 and one line naming the variable (or option) and the file, and nothing written. (The
 * adversarial probe of issue #12, kept as a regression suite.)
 */
@org.junit.jupiter.api.Timeout(
    value = 60,
    threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class HostileInputTest {

  /** The variables and the option that name a file meshboot reads. */
  static final List<String> FILE_VARIABLES =
      List.of(
          "ENVOY_CONFIG_FILE",
          "ENVOY_RESOURCES_CONFIG_FILE",
          "ENVOY_TRACING_CFG_FILE",
          "ENVOY_STATS_CONFIG_FILE",
          "ENVOY_STATS_SINKS_CFG_FILE",
          "XRAY_SAMPLING_RULE_MANIFEST",
          "--env-file");

  /** Each hostile file, made in {@code dir}. */
  static Map<String, Function<Path, Path>> hostile() {
    Map<String, Function<Path, Path>> make = new java.util.LinkedHashMap<>();
    make.put("a FIFO without a writer", dir -> fifo(dir.resolve("fifo")));
    make.put("/dev/zero", dir -> link(dir.resolve("zero"), Path.of("/dev/zero")));
    make.put("a directory", dir -> dir);
    make.put("a missing file", dir -> dir.resolve("missing.yaml"));
    make.put(
        "a loop of links",
        dir -> {
          link(dir.resolve("loop-a"), dir.resolve("loop-b"));
          return link(dir.resolve("loop-b"), dir.resolve("loop-a"));
        });
    make.put(
        "2 MB of comments",
        dir -> write(dir.resolve("big.yaml"), ("# " + "x".repeat(98) + "\n").repeat(20_000)));
    make.put(
        "nesting 1,000 deep",
        dir -> write(dir.resolve("deep.yaml"), "a: " + "[".repeat(1000) + "]".repeat(1000)));
    make.put(
        "an alias bomb",
        dir -> {
          StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
          for (int i = 1; i < 12; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            yaml.append(String.join(", ", java.util.Collections.nCopies(9, "*a" + (i - 1))));
            yaml.append("]\n");
          }
          return write(dir.resolve("bomb.yaml"), yaml.toString());
        });
    make.put(
        "binary content",
        dir -> {
          try {
            return Files.write(
                dir.resolve("binary.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    return make;
  }

  static Stream<Arguments> cases() {
    return FILE_VARIABLES.stream()
        .flatMap(variable -> hostile().keySet().stream().map(kind -> Arguments.of(variable, kind)));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("cases")
  void endsWithOneLineNamingTheVariableAndWritesNothing(
      String variable, String kind, @TempDir Path tmp) throws IOException {
    Path hostile = hostile().get(kind).apply(tmp);
    Map<String, String> env = new HashMap<>(CliTest.ENV);
    env.put("ENABLE_ENVOY_XRAY_TRACING", variable.equals("XRAY_SAMPLING_RULE_MANIFEST") ? "1" : "");
    Path out = Files.writeString(tmp.resolve("envoy.json.out"), "previous");
    List<String> argv = new java.util.ArrayList<>(List.of("bootstrap", "-o", out.toString()));
    if (variable.startsWith("--")) {
      argv.addAll(List.of(variable, hostile.toString()));
    } else {
      env.put(variable, hostile.toString());
    }

    long start = System.nanoTime();
    CliTest.Result result = CliTest.run(env, argv.toArray(String[]::new));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(result.code()).as(result.err()).isIn(3, 4);
    assertThat(result.err().lines().toList()).as(result.err()).hasSize(1);
    assertThat(result.err()).startsWith("meshboot: " + variable).contains(tmp.toString());
    assertThat(out).hasContent("previous");
  }

  @Test
  void anEmptyEnvoyConfigFileIsGeneratedIntoAndAMissingOneIsAnError(@TempDir Path tmp)
      throws IOException {
    Path empty = Files.createFile(tmp.resolve("envoy.yaml"));
    Map<String, String> env = new HashMap<>(CliTest.ENV);
    env.put("ENVOY_CONFIG_FILE", empty.toString());
    Path out = tmp.resolve("out.json");
    assertThat(CliTest.run(env, "bootstrap", "-o", out.toString()).code()).isZero();
    assertThat(Files.readString(out)).contains("meshboot_xds");

    env.put("ENVOY_CONFIG_FILE", tmp.resolve("not-mounted.yaml").toString());
    CliTest.Result missing = CliTest.run(env, "bootstrap", "-o", out.toString());
    assertThat(missing.code()).isEqualTo(3);
    assertThat(missing.err()).contains("ENVOY_CONFIG_FILE: ").contains("does not exist");
  }

  private static Path fifo(Path path) {
    try {
      if (new ProcessBuilder("mkfifo", path.toString()).start().waitFor() != 0) {
        throw new IllegalStateException("mkfifo failed");
      }
      return path;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path link(Path link, Path target) {
    try {
      return Files.createSymbolicLink(link, target);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path write(Path path, String text) {
    try {
      return Files.writeString(path, text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

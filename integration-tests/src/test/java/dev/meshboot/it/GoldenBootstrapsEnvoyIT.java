package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden bootstrap goes through {@code meshboot validate --require-envoy} with the real
 * Envoy: relay and direct bootstraps are accepted; aws-iam ones are rejected by Envoy 1.35+, and
 * meshboot says why and what to do.
 */
class GoldenBootstrapsEnvoyIT {

  static final Path GOLDENS = Path.of(System.getProperty("meshboot.goldens"));
  static final Path SCENARIOS = Path.of(System.getProperty("meshboot.scenarios"));

  static Stream<String> goldens() throws IOException {
    try (Stream<Path> files = Files.list(GOLDENS)) {
      List<String> names =
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.endsWith(".json"))
              .sorted()
              .toList();
      assertThat(names).hasSizeGreaterThan(40);
      return names.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void envoyJudgesTheGoldenBootstrap(String golden, @TempDir Path tmp) throws IOException {
    String text =
        Files.readString(GOLDENS.resolve(golden))
            .replace("@SCENARIOS@", SCENARIOS.toString())
            .replace("@TMP@", tmp.toString());
    Files.writeString(
        tmp.resolve("sampling-rules.json"),
        "{\"version\":2,\"default\":{\"fixed_target\":1,\"rate\":0.1},\"rules\":[]}");
    Path file = tmp.resolve(golden);
    Files.writeString(file, text);

    Cli.Result result =
        Cli.run(
            Map.of("ENVOY_BIN", Envoy.path().toString()),
            "validate",
            "--require-envoy",
            file.toString());

    if (text.contains("envoy.grpc_credentials.aws_iam")) {
      assertThat(result.exitCode()).as(result.stderr()).isEqualTo(4);
      assertThat(result.stderr())
          .contains("rejected by")
          .contains("removed in 1.35")
          .contains("MESHBOOT_XDS_MODE=relay");
    } else {
      assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
      assertThat(result.stdout()).contains("accepted by " + Envoy.path());
    }
  }
}

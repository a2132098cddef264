package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

  /**
   * What a run printed.
   *
   * @param err the command's error output
   * @param log meshboot's log lines
   */
  record Result(int code, String out, String err, String log) {}

  static final Map<String, String> ENV =
      Map.of(
          "APPMESH_RESOURCE_ARN",
          "mesh/shop/virtualNode/cart",
          "APPMESH_XDS_ENDPOINT",
          "127.0.0.1:18000",
          "PATH",
          "");

  static Result run(Map<String, String> env, String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    dev.meshboot.log.Log.redirect(new PrintStream(log, true, StandardCharsets.UTF_8));
    int code =
        Main.run(
            List.of(argv),
            new Main.Context(
                env,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                (command, timeout) -> {
                  throw new IOException("no processes in this test");
                },
                () -> Scenarios.FACTS));
    dev.meshboot.log.Log.redirect(System.err);
    return new Result(
        code,
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8),
        log.toString(StandardCharsets.UTF_8));
  }

  @Test
  void writesTheXraySamplingRateAsGivenNotRounded(@TempDir Path tmp) throws IOException {
    Path rules = tmp.resolve("rules.json");
    for (String[] rate : new String[][] {{"0.123", "0.123"}, {".5", "0.5"}, {"1.00", "1"}}) {
      Map<String, String> env = new java.util.HashMap<>(ENV);
      env.put("ENABLE_ENVOY_XRAY_TRACING", "true");
      env.put("XRAY_SAMPLING_RATE", rate[0]);
      env.put("MESHBOOT_XRAY_SAMPLING_RULES_FILE", rules.toString());
      Result result = run(env, "bootstrap", "-o", tmp.resolve("envoy.json").toString());
      assertThat(result.code()).as(result.err()).isZero();
      com.google.gson.JsonObject manifest =
          com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(rules))
              .getAsJsonObject();
      assertThat(manifest.get("version").getAsInt()).isEqualTo(2);
      assertThat(manifest.getAsJsonObject("default").get("rate").toString()).isEqualTo(rate[1]);
      assertThat(manifest.getAsJsonObject("default").get("fixed_target").getAsInt()).isEqualTo(1);
      java.nio.file.Files.delete(rules);
    }
    for (String xrayDefault : new String[] {"0.05", "0.050", ".05"}) {
      Map<String, String> env = new java.util.HashMap<>(ENV);
      env.put("ENABLE_ENVOY_XRAY_TRACING", "true");
      env.put("XRAY_SAMPLING_RATE", xrayDefault);
      env.put("MESHBOOT_XRAY_SAMPLING_RULES_FILE", rules.toString());
      assertThat(run(env, "bootstrap", "-o", tmp.resolve("envoy.json").toString()).code()).isZero();
      assertThat(rules).as("X-Ray's default needs no manifest").doesNotExist();
    }
  }

  @Test
  void waitReadyGivesUpAfterItsTimeoutAndChecksItsOptions(@TempDir Path tmp) {
    Map<String, String> env =
        Map.of(
            "APPNET_AGENT_ADMIN_MODE",
            "uds",
            "APPNET_AGENT_ADMIN_UDS_PATH",
            tmp.resolve("nobody-listens.sock").toString());
    long start = System.nanoTime();
    Result waited = run(env, "wait-ready", "--timeout", "2", "--interval", "1");
    assertThat(waited.code()).isEqualTo(ExitCode.NOT_HEALTHY.code());
    assertThat(waited.err()).contains("not ready within 2s").contains("nobody-listens.sock");
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(java.time.Duration.ofSeconds(4));
    Result zero = run(env, "wait-ready", "--timeout", "0");
    assertThat(zero.code()).isEqualTo(ExitCode.USAGE.code());
    assertThat(zero.err()).contains("--timeout: expected whole seconds from 1 to 86400");
    assertThat(run(env, "healthcheck", "--timeout", "5").code()).isEqualTo(ExitCode.USAGE.code());
    Result unhealthy = run(env, "healthcheck");
    assertThat(unhealthy.code()).isEqualTo(ExitCode.NOT_HEALTHY.code());
    assertThat(unhealthy.err()).contains("does not answer");
  }

  @Test
  void helpListsEveryVariableWithItsOptionAndDefault() {
    Result help = run(ENV, "bootstrap", "--help");
    assertThat(help.code()).isZero();
    for (Variable variable : Variables.ALL) {
      assertThat(help.out()).contains(variable.name());
      if (variable.secret()) {
        assertThat(help.out()).doesNotContain(variable.option() + " <value>");
        assertThat(run(ENV, "bootstrap", variable.option(), "x").code())
            .as("no option for a secret: command lines are visible to every user")
            .isEqualTo(ExitCode.USAGE.code());
      } else {
        assertThat(help.out()).contains(variable.option() + " <value>");
      }
    }
    assertThat(help.out())
        .contains("ENVOY_ADMIN_ACCESS_PORT, default 9901")
        .contains("Exit codes:");
  }

  @Test
  void anUnknownOptionIsAUsageErrorPointingAtHelp() {
    Result result = run(ENV, "bootstrap", "--admin-port", "1");
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo("meshboot: unknown option --admin-port\nRun 'meshboot bootstrap --help'.\n");
    assertThat(run(ENV, "frobnicate").code()).isEqualTo(2);
  }

  @Test
  void anOptionWinsOverTheEnvironment() {
    Result result =
        run(
            ENV,
            "bootstrap",
            "--envoy-admin-access-port=19000",
            "--appmesh-resource-cluster",
            "blue");
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out()).contains("\"port_value\": 19000").contains("\"cluster\": \"blue\"");
  }

  @Test
  void writesYamlForAYamlFileAndExplainsToStdout(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("envoy.yaml");
    Result result = run(ENV, "bootstrap", "-o", file.toString(), "--explain");
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(Files.readString(file)).contains("node:\n  id: mesh/shop/virtualNode/cart");
    assertThat(result.out())
        .contains("node.id = \"mesh/shop/virtualNode/cart\"")
        .contains("<- APPMESH_RESOURCE_ARN (environment)")
        .contains("admin.address.socket_address.port_value = 9901")
        .contains("<- ENVOY_ADMIN_ACCESS_PORT (default)");
  }

  @Test
  void rejectsAnUnknownFormat() {
    assertThat(run(ENV, "bootstrap", "--format", "toml").err())
        .contains("--format: expected json or yaml but got \"toml\"");
  }

  @Test
  void validateChecksAFileAndSkipsEnvoyWhenThereIsNone(@TempDir Path tmp) throws IOException {
    Path file =
        Files.writeString(
            tmp.resolve("b.yaml"),
            "node: {id: x}\nadmin: {address: {socket_address: {address: 127.0.0.1, port_value: 9901}}}\n");
    Result result = run(Map.of("PATH", ""), "validate", file.toString());
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("passes the strict parse")
        .contains("Envoy's own check skipped");
    Result required = run(Map.of("PATH", ""), "validate", "--require-envoy", file.toString());
    assertThat(required.code()).isEqualTo(5);
    assertThat(required.err()).contains("no Envoy binary found");
  }

  @Test
  void validateReportsAnInvalidFileWithExitCode4(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("b.json"), "{\"node\": {\"idd\": \"x\"}}");
    Result result = run(Map.of("PATH", ""), "validate", file.toString());
    assertThat(result.code()).isEqualTo(4);
    assertThat(result.err()).contains("node.idd: no such field in envoy.config.core.v3.Node");
  }

  @Test
  void versionPrintsTheEnvoyApiRelease() {
    assertThat(run(ENV, "version").out()).startsWith("meshboot ").contains("Envoy API 1.34.0");
  }
}

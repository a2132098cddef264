package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz-style: every variable, set to values that are malformed for it, makes {@code meshboot
 * bootstrap} exit non-zero with a message naming the variable, and writes nothing; unless App
 * Mesh's agent started with such a value (a lenient variable), when meshboot starts too, with one
 * warning naming the variable, the value given and the value used.
 */
class MalformedVariablesTest {

  /**
   * Values App Mesh's agent replaced or ignored while the sidecar started (its {@code
   * agent_config.go} and {@code envoy_bootstrap.go}): each must start meshboot too.
   */
  static final Map<String, List<String>> STARTS_AS_APP_MESH_DID =
      Map.ofEntries(
          Map.entry("HC_POLL_INTERVAL_MS", List.of("1000", "40000", "fast")),
          Map.entry("LISTENER_DRAIN_WAIT_TIME_S", List.of("1", "200", "x")),
          Map.entry("HC_DISCONNECTED_TIMEOUT_S", List.of("60", "x")),
          Map.entry("APPNET_ENVOY_RESTART_COUNT", List.of("11", "-1", "x")),
          Map.entry("APPNET_AGENT_LOGGING_RESET_TIMEOUT", List.of("0", "x")),
          Map.entry("APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S", List.of("0", "x")),
          Map.entry("APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S", List.of("-1", "x")),
          Map.entry("ENVOY_LOG_LEVEL", List.of("verbose", "fatal")),
          Map.entry("ENVOY_ADMIN_MODE", List.of("socket", "unix")),
          Map.entry("APPNET_AGENT_ADMIN_MODE", List.of("socket")),
          Map.entry("APPNET_AGENT_HTTP_PORT", List.of("0", "65536", "http")),
          Map.entry("ENVOY_CONCURRENCY", List.of("0", "many", "-2")),
          Map.entry("DISABLE_HOT_RESTART", List.of("yes", "2")),
          Map.entry("ENVOY_SKIP_DEPRECATED_LOGS", List.of("enabled", "-1")),
          Map.entry("MAX_REQUESTS_PER_IO_CYCLE", List.of("0", "-1")),
          Map.entry("APPMESH_METRIC_EXTENSION_VERSION", List.of("2", "v1")));

  /** Values malformed for every variable. */
  static final List<String> ALWAYS_BAD = List.of("line\nbreak", "nul\u0000byte", "bell\u0007");

  /** Values malformed for a variable's type. */
  static final Map<String, List<String>> TYPED = new HashMap<>();

  /** Other variables a variable needs before it is read at all. */
  static final Map<String, Map<String, String>> NEEDS = new HashMap<>();

  static {
    List<String> booleans = List.of("yes", "2", "enabled", "-1");
    List<String> ports = List.of("0", "65536", "http", "-80", "1e3");
    for (Variable variable : Variables.ALL) {
      if ("false".equals(variable.defaultValue()) || "true".equals(variable.defaultValue())) {
        TYPED.put(variable.name(), booleans);
      }
      if (variable.name().endsWith("_PORT")) {
        TYPED.put(variable.name(), ports);
      }
    }
    TYPED.put(
        "APPMESH_RESOURCE_ARN",
        List.of(
            "cart", "arn:aws:appmesh:us-west-2:1:mesh/a/virtualNode/b", "mesh/a/virtualRouter/b"));
    TYPED.put("APPMESH_RESOURCE_NAME", List.of("cart"));
    TYPED.put("APPMESH_VIRTUAL_NODE_NAME", List.of("mesh/a"));
    TYPED.put("AWS_REGION", List.of("Oregon", "us-west", "us_west_2"));
    TYPED.put("AWS_DEFAULT_REGION", List.of("eu"));
    TYPED.put("MESHBOOT_XDS_MODE", List.of("sigv4", "iam"));
    TYPED.put("MAX_REQUESTS_PER_IO_CYCLE", List.of("ten", "1.5"));
    TYPED.put("ENVOY_ADMIN_ACCESS_BIND_ADDRESS", List.of("localhost", "300.1.1.1", "::1x"));
    TYPED.put("ENVOY_INITIAL_FETCH_TIMEOUT", List.of("-1", "5s", "x"));
    TYPED.put("ENVOY_STATS_FLUSH_INTERVAL", List.of("10", "soon", "0s"));
    TYPED.put("STATSD_ADDRESS", List.of("statsd.local", "1.2.3"));
    TYPED.put("AWS_XRAY_DAEMON_ADDRESS", List.of("xray:2000", "127.0.0.1:99999", "1.2.3.4:"));
    TYPED.put("XRAY_SAMPLING_RATE", List.of("1.5", "-0.1", "ten"));
    TYPED.put("DATADOG_TRACER_ADDRESS", List.of("bad host", "a..b"));
    TYPED.put("JAEGER_TRACER_ADDRESS", List.of("bad_host!"));
    TYPED.put("MESHBOOT_LOG_LEVEL", List.of("trace", "loud"));
    TYPED.put("MESHBOOT_LOG_FORMAT", List.of("xml"));
    TYPED.put("ENVOY_BIN", List.of("/nonexistent/envoy"));
    TYPED.put("APPMESH_APP_PORTS", List.of("80,", "http", "0", "80;443", "65536", "80 443"));
    TYPED.put("APPMESH_EGRESS_IGNORED_PORTS", List.of("22,,80", "ssh", "-1", "1000:2000"));
    TYPED.put(
        "APPMESH_EGRESS_IGNORED_IP",
        List.of(
            "metadata.local",
            "169.254.169.254,",
            "10.0.0.0/33",
            "300.1.1.1",
            "fd00::/129",
            "1.2.3"));
    TYPED.put("APPMESH_IGNORE_UID", List.of("envoy", "-1", "1337.5"));
    TYPED.put("APPMESH_IGNORE_GID", List.of("proxy", "-5"));
    // Envoy refuses unix socket paths of 108 bytes and more: refused when the variable is read.
    String longSocket = "/tmp/" + "s".repeat(110) + ".sock";
    for (String socket :
        List.of(
            "MESHBOOT_XDS_RELAY_SOCKET",
            "MESHBOOT_MESH_SOCKET",
            "ENVOY_ADMIN_UDS_PATH",
            "APPMESH_SDS_SOCKET_PATH",
            "STATSD_SOCKET_PATH",
            "APPNET_AGENT_ADMIN_UDS_PATH")) {
      TYPED.put(socket, List.of(longSocket));
    }
    TYPED.put(
        "APPMESH_XDS_ENDPOINT",
        List.of("host", "host:port", "unix://x", "http://h:1", "h:99999", "unix://" + longSocket));
    TYPED.put("MESHBOOT_MESH", List.of("/nonexistent/mesh", "/dev/null"));
    TYPED.put("MESHBOOT_XDS_CA_FILE", List.of("/nonexistent/ca.pem", "/tmp"));
    TYPED.put("MESHBOOT_XDS_CACHE_DIR", List.of("/etc/hostname", "relative/xds"));
    TYPED.put("MESHBOOT_CACHE_DIR", List.of("relative/cache"));
    TYPED.put("AWS_ROLE_ARN", List.of("role/mesh", "arn:aws:iam::1:role/x"));
    TYPED.put("AWS_ROLE_SESSION_NAME", List.of("x", "has space"));
    for (String file :
        List.of(
            "ENVOY_STATS_CONFIG_FILE",
            "ENVOY_STATS_SINKS_CFG_FILE",
            "ENVOY_RESOURCES_CONFIG_FILE",
            "ENVOY_TRACING_CFG_FILE",
            "XRAY_SAMPLING_RULE_MANIFEST")) {
      TYPED.put(file, List.of("/nonexistent/file.yaml"));
    }
    NEEDS.put("STATSD_ADDRESS", Map.of("ENABLE_ENVOY_DOG_STATSD", "1"));
    NEEDS.put("STATSD_SOCKET_PATH", Map.of("ENABLE_ENVOY_DOG_STATSD", "1"));
    NEEDS.put("ENVOY_ADMIN_UDS_PATH", Map.of("ENVOY_ADMIN_MODE", "uds"));
    NEEDS.put("APPNET_AGENT_ADMIN_UDS_PATH", Map.of("APPNET_AGENT_ADMIN_MODE", "uds"));
    NEEDS.put("STATSD_PORT", Map.of("ENABLE_ENVOY_DOG_STATSD", "1"));
    NEEDS.put("AWS_XRAY_DAEMON_ADDRESS", Map.of("ENABLE_ENVOY_XRAY_TRACING", "1"));
    NEEDS.put("XRAY_DAEMON_PORT", Map.of("ENABLE_ENVOY_XRAY_TRACING", "1"));
    NEEDS.put("XRAY_SAMPLING_RATE", Map.of("ENABLE_ENVOY_XRAY_TRACING", "1"));
    NEEDS.put("XRAY_SAMPLING_RULE_MANIFEST", Map.of("ENABLE_ENVOY_XRAY_TRACING", "1"));
    NEEDS.put("DATADOG_TRACER_ADDRESS", Map.of("ENABLE_ENVOY_DATADOG_TRACING", "1"));
    NEEDS.put("DATADOG_TRACER_PORT", Map.of("ENABLE_ENVOY_DATADOG_TRACING", "1"));
    NEEDS.put("JAEGER_TRACER_ADDRESS", Map.of("ENABLE_ENVOY_JAEGER_TRACING", "1"));
    NEEDS.put("JAEGER_TRACER_PORT", Map.of("ENABLE_ENVOY_JAEGER_TRACING", "1"));
    NEEDS.put("AWS_REGION", Map.of("APPMESH_XDS_ENDPOINT", ""));
    NEEDS.put("AWS_DEFAULT_REGION", Map.of("APPMESH_XDS_ENDPOINT", ""));
    NEEDS.put("APPMESH_RESOURCE_NAME", Map.of("APPMESH_RESOURCE_ARN", ""));
    NEEDS.put("APPMESH_VIRTUAL_NODE_NAME", Map.of("APPMESH_RESOURCE_ARN", ""));
    NEEDS.put("ENVOY_BIN", Map.of("APPMESH_XDS_ENDPOINT", "", "AWS_REGION", "us-west-2"));
    NEEDS.put(
        "APPMESH_DUALSTACK_ENDPOINT",
        Map.of("APPMESH_XDS_ENDPOINT", "", "AWS_REGION", "us-west-2"));
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Variable variable : Variables.ALL) {
      List<String> values = new ArrayList<>(ALWAYS_BAD);
      if (variable.fallback() == null || !variable.fallback().unparsable()) {
        values.addAll(TYPED.getOrDefault(variable.name(), List.of()));
      }
      values.forEach(value -> cases.add(Arguments.of(variable.name(), value)));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("cases")
  void aMalformedValueFailsNamingTheVariableAndWritesNothing(
      String name, String value, @TempDir Path tmp) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", "");
    env.put("APPMESH_RESOURCE_ARN", "mesh/shop/virtualNode/cart");
    env.put("APPMESH_XDS_ENDPOINT", "127.0.0.1:18000");
    env.put("APPMESH_FIPS_ENDPOINT", "false");
    env.put("MESHBOOT_XRAY_SAMPLING_RULES_FILE", tmp.resolve("rules.json").toString());
    env.putAll(NEEDS.getOrDefault(name, Map.of()));
    env.put(name, value);
    Path out = Files.writeString(tmp.resolve("envoy.json"), "previous");

    // The interception variables are read by intercept; "rules" reads them all and needs no
    // privilege (it changes nothing, whatever it is given).
    CliTest.Result result =
        java.util.Objects.requireNonNull(Variables.byName(name)).section()
                == Variable.Section.INTERCEPT
            ? CliTest.run(env, "intercept", "rules")
            : CliTest.run(env, "bootstrap", "-o", out.toString());

    assertThat(result.code()).as(result.err()).isIn(3, 4);
    assertThat(result.err()).startsWith("meshboot: ").contains(name);
    assertThat(out).hasContent("previous");
    try (var files = Files.list(tmp)) {
      assertThat(files).containsExactly(out);
    }
  }

  static Stream<Arguments> lenientCases() {
    List<Arguments> cases = new ArrayList<>();
    STARTS_AS_APP_MESH_DID.forEach(
        (name, values) -> values.forEach(value -> cases.add(Arguments.of(name, value))));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("lenientCases")
  void aValueAppMeshsAgentReplacedStartsWithOneWarning(String name, String value, @TempDir Path tmp)
      throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", "");
    env.put("APPMESH_RESOURCE_ARN", "mesh/shop/virtualNode/cart");
    env.put("APPMESH_XDS_ENDPOINT", "127.0.0.1:18000");
    env.put(name, value);
    Path out = tmp.resolve("envoy.json");

    CliTest.Result result;
    if (name.startsWith("APPNET_AGENT_POLL_ENVOY_READINESS")) {
      // wait-ready reads these: against a management API that is ready at once.
      HttpServer api =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      api.createContext(
          "/ready",
          exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
          });
      api.start();
      try {
        env.put("APPNET_AGENT_HTTP_PORT", String.valueOf(api.getAddress().getPort()));
        result = CliTest.run(env, "wait-ready");
      } finally {
        api.stop(0);
      }
    } else {
      result = CliTest.run(env, "bootstrap", "-o", out.toString());
      assertThat(out).exists();
    }
    assertThat(result.code()).as(result.err()).isZero();
    List<String> warnings =
        result.log().lines().filter(line -> line.contains(name + ": expected")).toList();
    assertThat(warnings).as(result.log()).hasSize(1);
    assertThat(warnings.getFirst())
        .contains("WARN")
        .contains("\"" + value + "\"")
        .contains("using ")
        .contains("as App Mesh's agent did");
  }

  @org.junit.jupiter.api.Test
  void everyLenientVariableIsExercisedAndNoOtherIs() {
    List<String> lenient =
        Variables.ALL.stream().filter(v -> v.fallback() != null).map(Variable::name).toList();
    assertThat(STARTS_AS_APP_MESH_DID.keySet()).containsExactlyInAnyOrderElementsOf(lenient);
  }
}

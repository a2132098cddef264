package dev.meshboot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigReaderTest {

  private static ConfigReader reader(String name, String value) {
    return new ConfigReader(Environment.of(Map.of(name, value)));
  }

  @ParameterizedTest
  @CsvSource({"1,true", "0,false", "true,true", "FALSE,false", "t,true", "F,false", "True,true"})
  void readsEveryBooleanSpelling(String text, boolean expected) {
    assertThat(reader("ENABLE_ENVOY_STATS_TAGS", text).bool(Variables.ENABLE_ENVOY_STATS_TAGS))
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "no", "2", "on", "truee"})
  void rejectsOtherBooleansNamingTheVariableAndValue(String text) {
    assertThatThrownBy(
            () -> reader("ENABLE_ENVOY_STATS_TAGS", text).bool(Variables.ENABLE_ENVOY_STATS_TAGS))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "ENABLE_ENVOY_STATS_TAGS: expected a boolean (true/false, 1/0, t/f) but got \""
                + text
                + "\"");
  }

  @Test
  void blankMeansTheDefault() {
    assertThat(reader("ENVOY_ADMIN_ACCESS_PORT", "  ").port(Variables.ENVOY_ADMIN_ACCESS_PORT))
        .isEqualTo(9901);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "65536", "99999", "-1", "http", "9901.5"})
  void rejectsPortsOutsideTheRange(String text) {
    assertThatThrownBy(
            () -> reader("ENVOY_ADMIN_ACCESS_PORT", text).port(Variables.ENVOY_ADMIN_ACCESS_PORT))
        .hasMessage("ENVOY_ADMIN_ACCESS_PORT: expected a port 1-65535 but got \"" + text + "\"");
  }

  @ParameterizedTest
  @CsvSource({"15s,15000", "5000ms,5000", "1m30s,90000", "1.5s,1500", "2h,7200000"})
  void readsGoStyleDurations(String text, long millis) {
    assertThat(
            reader("ENVOY_STATS_FLUSH_INTERVAL", text)
                .duration(Variables.ENVOY_STATS_FLUSH_INTERVAL))
        .contains(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"15", "s", "fast", "15 s", "-5s", "5sec"})
  void rejectsMalformedDurations(String text) {
    assertThatThrownBy(
            () ->
                reader("ENVOY_STATS_FLUSH_INTERVAL", text)
                    .duration(Variables.ENVOY_STATS_FLUSH_INTERVAL))
        .hasMessageStartingWith("ENVOY_STATS_FLUSH_INTERVAL: expected a duration");
  }

  @Test
  void rejectsDurationsEnvoyCannotUse() {
    assertThatThrownBy(
            () ->
                reader("ENVOY_STATS_FLUSH_INTERVAL", "500us")
                    .duration(Variables.ENVOY_STATS_FLUSH_INTERVAL))
        .hasMessageContaining("at least 1ms");
  }

  @Test
  void integerBoundsAreInTheMessage() {
    assertThatThrownBy(
            () ->
                reader("ENVOY_INITIAL_FETCH_TIMEOUT", "-1")
                    .integer(Variables.ENVOY_INITIAL_FETCH_TIMEOUT, 0, Integer.MAX_VALUE))
        .hasMessage("ENVOY_INITIAL_FETCH_TIMEOUT: expected an integer >= 0 but got \"-1\"");
  }

  @Test
  void aLenientVariableFallsBackAsAppMeshsAgentDid() {
    assertThat(
            reader("HC_POLL_INTERVAL_MS", "1000")
                .integer(Variables.HC_POLL_INTERVAL_MS, 2000, 30_000))
        .hasValue(10_000);
    assertThat(
            reader("APPNET_ENVOY_RESTART_COUNT", "11")
                .integer(Variables.APPNET_ENVOY_RESTART_COUNT, 0, 10))
        .hasValue(10);
    assertThat(
            reader("APPNET_ENVOY_RESTART_COUNT", "-1")
                .integer(Variables.APPNET_ENVOY_RESTART_COUNT, 0, 10))
        .hasValue(3);
    assertThat(reader("ENVOY_CONCURRENCY", "many").integer(Variables.ENVOY_CONCURRENCY, 1, 1024))
        .isEmpty();
    assertThat(
            reader("ENVOY_ADMIN_MODE", "unix")
                .choice(Variables.ENVOY_ADMIN_MODE, Map.of("tcp", 1, "uds", 2)))
        .isEqualTo(1);
    assertThat(
            reader("APPNET_AGENT_ADMIN_MODE", "socket")
                .choice(Variables.APPNET_AGENT_ADMIN_MODE, Map.of("tcp", 1, "uds", 2)))
        .isEqualTo(1);
    assertThat(reader("DISABLE_HOT_RESTART", "yes").bool(Variables.DISABLE_HOT_RESTART)).isTrue();
    assertThat(
            reader("MAX_REQUESTS_PER_IO_CYCLE", "0")
                .integer(Variables.MAX_REQUESTS_PER_IO_CYCLE, 1, Integer.MAX_VALUE))
        .as("App Mesh's agent ignored values below 1")
        .isEmpty();
    assertThatThrownBy(
            () ->
                reader("MAX_REQUESTS_PER_IO_CYCLE", "ten")
                    .integer(Variables.MAX_REQUESTS_PER_IO_CYCLE, 1, Integer.MAX_VALUE))
        .as("but stopped on one that was not an integer")
        .hasMessage("MAX_REQUESTS_PER_IO_CYCLE: expected an integer >= 1 but got \"ten\"");
  }

  @Test
  void choicesListTheAccepted() {
    assertThatThrownBy(
            () ->
                reader("MESHBOOT_XDS_MODE", "sigv4")
                    .choice(Variables.MESHBOOT_XDS_MODE, Map.of("relay", 1, "direct", 2)))
        .hasMessage("MESHBOOT_XDS_MODE: expected one of direct, relay but got \"sigv4\"");
  }

  @Test
  void optionsWinOverTheEnvFileWhichWinsOverTheEnvironment() {
    Environment environment =
        Environment.of(
            Map.of("ENVOY_ADMIN_ACCESS_PORT", "1"),
            Map.of("ENVOY_ADMIN_ACCESS_PORT", "2", "STATSD_PORT", "3"),
            Map.of("ENVOY_ADMIN_ACCESS_PORT", "4", "STATSD_PORT", "5", "JAEGER_TRACER_PORT", "6"));
    ConfigReader reader = new ConfigReader(environment);
    assertThat(reader.port(Variables.ENVOY_ADMIN_ACCESS_PORT)).isEqualTo(1);
    assertThat(reader.port(Variables.STATSD_PORT)).isEqualTo(3);
    assertThat(reader.port(Variables.JAEGER_TRACER_PORT)).isEqualTo(6);
  }

  @Test
  void errorsSayWhereAValueCameFromWhenNotTheEnvironment() {
    Environment environment =
        Environment.of(Map.of("ENVOY_ADMIN_ACCESS_PORT", "x"), Map.of(), Map.of());
    assertThatThrownBy(() -> new ConfigReader(environment).port(Variables.ENVOY_ADMIN_ACCESS_PORT))
        .hasMessageEndingWith("(from option --envoy-admin-access-port)");
  }

  @Test
  void controlCharactersAreRejectedInEveryVariable() {
    Environment environment = Environment.of(Map.of("DD_SERVICE", "cart\nshop"));
    assertThatThrownBy(environment::checkAll)
        .hasMessage(
            "DD_SERVICE: expected a value without control characters (newline, NUL, U+0085...)"
                + " but got \"cart?shop\"");
    Environment c1 = Environment.of(Map.of("DD_SERVICE", "cart\u0085shop"));
    assertThatThrownBy(c1::checkAll).as("C1 controls too").hasMessageContaining("cart?shop");
  }
}

package dev.meshboot.config;

import static dev.meshboot.config.Variables.AWS_XRAY_DAEMON_ADDRESS;
import static dev.meshboot.config.Variables.DATADOG_TRACER_ADDRESS;
import static dev.meshboot.config.Variables.DATADOG_TRACER_PORT;
import static dev.meshboot.config.Variables.DD_SERVICE;
import static dev.meshboot.config.Variables.ENABLE_ENVOY_DATADOG_TRACING;
import static dev.meshboot.config.Variables.ENABLE_ENVOY_JAEGER_TRACING;
import static dev.meshboot.config.Variables.ENABLE_ENVOY_XRAY_TRACING;
import static dev.meshboot.config.Variables.ENVOY_TRACING_CFG_FILE;
import static dev.meshboot.config.Variables.JAEGER_TRACER_ADDRESS;
import static dev.meshboot.config.Variables.JAEGER_TRACER_PORT;
import static dev.meshboot.config.Variables.JAEGER_TRACER_VERSION;
import static dev.meshboot.config.Variables.MESHBOOT_XRAY_SAMPLING_RULES_FILE;
import static dev.meshboot.config.Variables.XRAY_DAEMON_PORT;
import static dev.meshboot.config.Variables.XRAY_SAMPLING_RATE;
import static dev.meshboot.config.Variables.XRAY_SAMPLING_RULE_MANIFEST;
import static dev.meshboot.config.Variables.XRAY_SEGMENT_NAME;

import dev.meshboot.io.Addresses;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The tracer Envoy reports to: at most one. */
public sealed interface TracingConfig {

  /** No tracer. */
  record None() implements TracingConfig {}

  /** Tracing taken from {@code ENVOY_TRACING_CFG_FILE}; the switches are ignored. */
  record FromFile(Path file) implements TracingConfig {}

  /**
   * AWS X-Ray.
   *
   * @param samplingRules the manifest Envoy reads: the user's, or the one meshboot writes
   * @param samplingRate the rate meshboot writes into its manifest, as a decimal with every digit
   *     given (App Mesh's agent rounded it to hundredths), when it writes one
   */
  record XRay(
      String segmentName,
      String daemonAddress,
      int daemonPort,
      Optional<Path> samplingRules,
      Optional<String> samplingRate)
      implements TracingConfig {}

  /** Datadog. */
  record Datadog(String address, int port, String serviceName) implements TracingConfig {}

  /** Jaeger through Envoy's Zipkin tracer. */
  record Jaeger(String address, int port, boolean json) implements TracingConfig {}

  /** X-Ray's default rate: it needs no manifest. */
  String DEFAULT_SAMPLING_RATE = "0.05";

  /** A rate from 0 to 1 with any number of decimals; BigDecimal would cost start-up time. */
  Pattern RATE = Pattern.compile("(0|1)(?:\\.(\\d*))?|\\.(\\d+)");

  Pattern DAEMON_ADDRESS = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([0-9.]+))(?::(\\d{1,5}))?");

  static TracingConfig from(ConfigReader reader, MeshResource resource) {
    Optional<Path> file = reader.path(ENVOY_TRACING_CFG_FILE);
    if (file.isPresent()) {
      return new FromFile(file.get());
    }
    List<String> enabled = new ArrayList<>();
    for (Variable flag :
        List.of(
            ENABLE_ENVOY_XRAY_TRACING, ENABLE_ENVOY_DATADOG_TRACING, ENABLE_ENVOY_JAEGER_TRACING)) {
      if (reader.bool(flag)) {
        enabled.add(flag.name());
      }
    }
    if (enabled.size() > 1) {
      throw new ConfigException(
          enabled.get(0),
          "Only a single envoy trace driver can be configured, but "
              + String.join(" and ", enabled)
              + " are enabled together; please enable only one of ENABLE_ENVOY_XRAY_TRACING,"
              + " ENABLE_ENVOY_DATADOG_TRACING or ENABLE_ENVOY_JAEGER_TRACING");
    }
    if (enabled.isEmpty()) {
      return new None();
    }
    String meshName = resource.meshName() + "/" + resource.name();
    return switch (enabled.get(0)) {
      case "ENABLE_ENVOY_XRAY_TRACING" -> xray(reader, meshName);
      case "ENABLE_ENVOY_DATADOG_TRACING" ->
          new Datadog(
              host(reader, DATADOG_TRACER_ADDRESS),
              reader.port(DATADOG_TRACER_PORT),
              reader.optionalString(DD_SERVICE).map(String::trim).orElse("envoy-" + meshName));
      default ->
          new Jaeger(
              host(reader, JAEGER_TRACER_ADDRESS),
              reader.port(JAEGER_TRACER_PORT),
              reader
                  .optionalString(JAEGER_TRACER_VERSION)
                  .map(v -> v.toLowerCase(Locale.ROOT).contains("json"))
                  .orElse(false));
    };
  }

  private static XRay xray(ConfigReader reader, String meshName) {
    String address = "127.0.0.1";
    int port = reader.port(XRAY_DAEMON_PORT);
    Optional<Setting> daemon = reader.environment().setting(AWS_XRAY_DAEMON_ADDRESS);
    if (daemon.isPresent()) {
      Matcher parts = DAEMON_ADDRESS.matcher(daemon.get().value().trim());
      String expected = "an IP address with an optional port, such as 127.0.0.1:2000";
      if (!parts.matches()) {
        throw ConfigException.invalid(daemon.get(), expected);
      }
      address = parts.group(1) != null ? parts.group(1) : parts.group(2);
      if (!Addresses.isIpLiteral(address)) {
        throw ConfigException.invalid(daemon.get(), expected);
      }
      if (parts.group(3) != null) {
        port = Integer.parseInt(parts.group(3));
        if (port < 1 || port > 65535) {
          throw ConfigException.invalid(daemon.get(), expected);
        }
      }
    }
    Optional<Path> manifest = reader.path(XRAY_SAMPLING_RULE_MANIFEST);
    Optional<String> rate = Optional.empty();
    if (manifest.isEmpty()) {
      Setting given = reader.environment().setting(XRAY_SAMPLING_RATE).orElseThrow();
      String value = samplingRate(given);
      if (!value.equals(DEFAULT_SAMPLING_RATE)) {
        rate = Optional.of(value);
        manifest = reader.path(MESHBOOT_XRAY_SAMPLING_RULES_FILE);
      }
    }
    return new XRay(
        reader.optionalString(XRAY_SEGMENT_NAME).map(String::trim).orElse(meshName),
        address,
        port,
        manifest,
        rate);
  }

  /**
   * The rate as a plain decimal with every digit given and no trailing zeros ("0.123", ".5" is
   * "0.5", "1.00" is "1"): kept as given rather than rounded to hundredths as App Mesh's agent did.
   */
  private static String samplingRate(Setting setting) {
    Matcher parts = RATE.matcher(setting.value().trim());
    if (parts.matches()) {
      String whole = parts.group(1) != null ? parts.group(1) : "0";
      String fraction =
          (parts.group(2) != null ? parts.group(2) : parts.group(3) != null ? parts.group(3) : "")
              .replaceFirst("0+$", "");
      if (!(whole.equals("1") && !fraction.isEmpty())) {
        return fraction.isEmpty() ? whole : whole + "." + fraction;
      }
    }
    throw ConfigException.invalid(setting, "a number from 0 to 1, such as 0.1");
  }

  private static String host(ConfigReader reader, Variable variable) {
    Setting setting = reader.environment().setting(variable).orElseThrow();
    String host = setting.value().trim();
    if (!Addresses.isIpLiteral(host) && !Addresses.isHostname(host)) {
      throw ConfigException.invalid(setting, "a host name or IP address");
    }
    return host;
  }
}

package dev.meshboot.bootstrap;

import com.google.gson.JsonObject;
import dev.meshboot.config.Environment;
import dev.meshboot.config.TracingConfig;
import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The values of the tracer's template (X-Ray, Datadog, Jaeger/Zipkin). */
final class TracingFragment {

  private TracingFragment() {}

  /**
   * The tracer's template, its values and the side files it needs; empty when no template traces
   * (none, or a user's file merged with the other user files).
   */
  static Optional<Fragment> of(
      TracingConfig tracing, Environment environment, Function<Variable, String> source) {
    Placeholders.Builder values = Placeholders.builder("tracing");
    // if/else rather than a pattern switch, which bootstraps at run time and costs start-up.
    if (tracing instanceof TracingConfig.XRay xray) {
      values.put(
          "xray.segment_name",
          Value.of(xray.segmentName(), source.apply(Variables.XRAY_SEGMENT_NAME)));
      String daemon =
          environment.given(Variables.AWS_XRAY_DAEMON_ADDRESS).isPresent()
              ? source.apply(Variables.AWS_XRAY_DAEMON_ADDRESS)
              : source.apply(Variables.XRAY_DAEMON_PORT);
      values.put("xray.address", Value.of(xray.daemonAddress(), daemon));
      values.put("xray.port", Value.of(xray.daemonPort(), daemon));
      xray.samplingRules()
          .ifPresent(
              file -> {
                Variable from =
                    xray.samplingRate().isPresent()
                        ? Variables.XRAY_SAMPLING_RATE
                        : Variables.XRAY_SAMPLING_RULE_MANIFEST;
                JsonObject manifest = new JsonObject();
                manifest.addProperty("filename", file.toString());
                values.put("xray.sampling_rule_manifest", new Value(manifest, source.apply(from)));
              });
      List<SideFile> sideFiles =
          xray.samplingRate()
              .map(
                  rate -> List.of(SamplingRules.manifest(xray.samplingRules().orElseThrow(), rate)))
              .orElse(List.of());
      xray.samplingRules()
          .filter(file -> xray.samplingRate().isEmpty())
          .ifPresent(SamplingRules::checkUserManifest);
      return Optional.of(new Fragment("tracing-xray", values.build(), sideFiles));
    } else if (tracing instanceof TracingConfig.Datadog datadog) {
      values.put(
          "datadog.service_name",
          Value.of(datadog.serviceName(), source.apply(Variables.DD_SERVICE)));
      values.put(
          "datadog.address",
          Value.of(datadog.address(), source.apply(Variables.DATADOG_TRACER_ADDRESS)));
      values.put(
          "datadog.port", Value.of(datadog.port(), source.apply(Variables.DATADOG_TRACER_PORT)));
      return Optional.of(new Fragment("tracing-datadog", values.build()));
    } else if (tracing instanceof TracingConfig.Jaeger jaeger) {
      values.put(
          "jaeger.endpoint_version",
          Value.of(
              jaeger.json() ? "HTTP_JSON" : "HTTP_PROTO",
              source.apply(Variables.JAEGER_TRACER_VERSION)));
      values.put(
          "jaeger.address",
          Value.of(jaeger.address(), source.apply(Variables.JAEGER_TRACER_ADDRESS)));
      values.put(
          "jaeger.port", Value.of(jaeger.port(), source.apply(Variables.JAEGER_TRACER_PORT)));
      return Optional.of(new Fragment("tracing-zipkin", values.build()));
    }
    // FromFile is merged with the other user files; None adds nothing.
    return Optional.empty();
  }
}

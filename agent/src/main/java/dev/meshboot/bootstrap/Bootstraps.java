package dev.meshboot.bootstrap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.meshboot.config.AgentConfig;
import dev.meshboot.config.Endpoint;
import dev.meshboot.config.Environment;
import dev.meshboot.config.HostFacts;
import dev.meshboot.config.MeshResource;
import dev.meshboot.config.PlatformFacts;
import dev.meshboot.config.StatsConfig;
import dev.meshboot.config.TracingConfig;
import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import dev.meshboot.config.XdsConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** Builds the Envoy bootstrap of a sidecar from its configuration and the host's facts. */
public final class Bootstraps {

  private final AgentConfig config;
  private final Environment environment;
  private final HostFacts facts;
  private final PlatformFacts platform;

  /** Rendered templates; they are merged in the order of {@link Templates#NAMES}. */
  private final Map<String, JsonElement> fragments = new HashMap<>();

  /** Where each template's fields came from, by template. */
  private final Map<String, List<Provenance>> provenance = new HashMap<>();

  private final List<SideFile> sideFiles = new ArrayList<>();

  private Bootstraps(
      AgentConfig config, Environment environment, HostFacts facts, PlatformFacts platform) {
    this.config = config;
    this.environment = environment;
    this.facts = facts;
    this.platform = platform;
  }

  /**
   * Renders, merges the user's fragment files into, and validates the bootstrap.
   *
   * @param environment where the configuration came from, for {@code --explain}
   * @param platform what the metadata services said, for node metadata and locality
   * @throws InvalidBootstrapException when a fragment or the result breaks the Envoy API's rules
   */
  public static Rendered from(
      AgentConfig config,
      java.util.function.Supplier<XdsConfig> xds,
      Environment environment,
      HostFacts facts,
      PlatformFacts platform,
      java.util.function.Supplier<EnvoySchema> schemas) {
    Bootstraps build = new Bootstraps(config, environment, facts, platform);
    build.renderTemplates(xds);
    // JsonFormat range-checks numbers with BigDecimal, whose first use costs ~10 ms; start it here,
    // while the schema is still being built on another thread.
    if (new java.math.BigDecimal("1").signum() != 1) {
      throw new AssertionError();
    }
    EnvoySchema schema = schemas.get();
    DynamicMessage.Builder bootstrap = DynamicMessage.newBuilder(schema.bootstrap());
    List<Provenance> provenance = new ArrayList<>();
    for (String template : Templates.NAMES) {
      JsonElement fragment = build.fragments.get(template);
      if (fragment != null) {
        merge(schema, bootstrap, template, fragment);
        provenance.addAll(build.provenance.get(template));
      }
    }
    new UserFragments(schema, bootstrap, provenance).merge(config);
    DynamicMessage result = bootstrap.build();
    Validation.check(result, schema, "the bootstrap", provenance);
    return new Rendered(result, List.copyOf(provenance), List.copyOf(build.sideFiles));
  }

  /**
   * Reads a whole bootstrap from a file (ENVOY_CONFIG_FILE, or the file {@code validate} checks),
   * strictly, and validates it.
   *
   * @param label names the file in errors: a variable or {@code file}
   */
  public static Rendered fromFile(java.nio.file.Path file, String label, EnvoySchema schema) {
    List<Provenance> provenance = new ArrayList<>();
    DynamicMessage bootstrap =
        UserFragments.whole(schema, file, label, provenance)
            .orElseThrow(
                () -> new InvalidBootstrapException(label + " (" + file + "): the file is empty"));
    Validation.check(bootstrap, schema, file.toString(), provenance);
    return new Rendered(bootstrap, List.copyOf(provenance), List.of());
  }

  /** The schema a configuration needs: user files may use any Envoy type. */
  public static EnvoySchema.Scope schemaFor(AgentConfig config) {
    return config.files().any() || config.tracing() instanceof TracingConfig.FromFile
        ? EnvoySchema.Scope.FULL
        : EnvoySchema.Scope.CORE;
  }

  /**
   * Renders every template; the management connection last, since resolving it may wait for {@code
   * envoy --version}, which runs meanwhile.
   */
  private void renderTemplates(java.util.function.Supplier<XdsConfig> xds) {
    Map<String, Value> values = new HashMap<>();
    MeshResource resource = config.resource();
    String idSource = source(config.resourceSetting().variable());
    values.put("node.id", Value.of(resource.nodeId(), idSource));
    values.put(
        "node.cluster",
        Value.of(
            config.cluster(),
            config
                .clusterSetting()
                .map(s -> source(s.variable()))
                .orElse(idSource + ", as node id")));
    values.put(
        "node.metadata",
        new Value(
            NodeMetadata.of(config, facts, platform),
            "node metadata (" + NodeMetadata.SOURCES + ")"));
    NodeMetadata.locality(platform)
        .ifPresent(
            locality ->
                values.put("node.locality", new Value(locality, NodeMetadata.LOCALITY_SOURCE)));
    values.put(
        "runtime.static_layer", new Value(NodeMetadata.staticLayer(config), runtimeSources()));
    values.put(
        "outlier.event_log_path",
        Value.of(
            config.runtime().outlierEventLogPath(),
            source(Variables.ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH)));
    values.put(
        "xds.initial_fetch_timeout",
        Value.of(
            config.runtime().initialFetchTimeoutSeconds() + "s",
            source(Variables.ENVOY_INITIAL_FETCH_TIMEOUT)));
    config
        .stats()
        .flushInterval()
        .ifPresent(
            interval ->
                values.put(
                    "stats.flush_interval",
                    Value.of(
                        Durations.text(interval), source(Variables.ENVOY_STATS_FLUSH_INTERVAL))));
    String meshSource = idSource + ", mesh";
    values.put("mesh.name", Value.of(resource.mesh(), meshSource));
    values.put("mesh.resource_name", Value.of(resource.name(), idSource + ", name"));
    values.put(
        "stats.kind_tag", Value.of("appmesh." + resource.kind().snakeCase(), idSource + ", kind"));
    values.put(
        "stats.kind_upper_camel", Value.of(resource.kind().upperCamel(), idSource + ", kind"));

    add("base", values);
    admin(values);
    stats(config.stats(), values);
    tracing(config.tracing(), values);
    config
        .runtime()
        .sdsSocket()
        .ifPresent(
            socket -> {
              values.put(
                  "sds.socket",
                  Value.of(socket.toString(), source(Variables.APPMESH_SDS_SOCKET_PATH)));
              add("sds", values);
            });
    xds(xds.get(), values);
  }

  private void admin(Map<String, Value> values) {
    var admin = config.admin();
    values.put(
        "admin.access_log",
        Value.of(admin.accessLog(), source(Variables.ENVOY_ADMIN_ACCESS_LOG_FILE)));
    if (admin.uds()) {
      values.put(
          "admin.uds_path",
          Value.of(admin.udsPath().toString(), source(Variables.ENVOY_ADMIN_UDS_PATH)));
      add("admin-uds", values);
      return;
    }
    String addressSource =
        environment.given(Variables.ENVOY_ADMIN_ACCESS_BIND_ADDRESS).isPresent()
            ? source(Variables.ENVOY_ADMIN_ACCESS_BIND_ADDRESS)
            : "default of ENVOY_ADMIN_ACCESS_BIND_ADDRESS with "
                + source(Variables.ENVOY_ADMIN_ACCESS_ENABLE_IPV6);
    values.put("admin.address", Value.of(admin.address(), addressSource));
    values.put("admin.port", Value.of(admin.port(), source(Variables.ENVOY_ADMIN_ACCESS_PORT)));
    if (admin.ipv4Compat()) {
      values.put("admin.ipv4_compat", Value.of(true, addressSource + ", IPv6 any-address"));
    }
    add("admin-tcp", values);
  }

  private void xds(XdsConfig xds, Map<String, Value> values) {
    String modeSource =
        source(Variables.MESHBOOT_XDS_MODE) + ": " + String.join("; ", xds.decisions());
    String endpointSource =
        environment.given(Variables.APPMESH_XDS_ENDPOINT).isPresent()
            ? source(Variables.APPMESH_XDS_ENDPOINT)
            : "regional endpoint from "
                + xds.regionSource().orElse(source(Variables.AWS_REGION))
                + " ("
                + modeSource
                + ")";
    String caFile = xds.caFile().orElse(facts.caBundle()).toString();
    String caSource =
        xds.caFile().isPresent() ? source(Variables.MESHBOOT_XDS_CA_FILE) : "the system CA bundle";
    // Signing applies to App Mesh endpoints, which have a region (aws-iam always does).
    xds.region()
        .ifPresent(
            region -> {
              values.put(
                  "xds.signing_name",
                  Value.of(xds.signingName(), source(Variables.APPMESH_SIGNING_NAME)));
              values.put(
                  "xds.region",
                  Value.of(region, xds.regionSource().orElse(source(Variables.AWS_REGION))));
            });
    switch (xds.mode()) {
      case RELAY -> {
        values.put(
            "xds.relay_socket",
            Value.of(
                xds.relaySocket().toString(),
                source(Variables.MESHBOOT_XDS_RELAY_SOCKET) + " (" + modeSource + ")"));
        values.put("xds.upstream", Value.of(xds.endpoint().toString(), endpointSource));
        values.put("xds.tls", Value.of(xds.tls(), endpointSource));
        add("ads-relay", values);
      }
      case AWS_IAM -> {
        values.put("xds.target_uri", Value.of(xds.endpoint().toString(), endpointSource));
        values.put("xds.ca_file", Value.of(caFile, caSource));
        add("ads-aws-iam", values);
      }
      case DIRECT, AUTO -> {
        if (xds.endpoint() instanceof Endpoint.Unix unix) {
          values.put("xds.unix_path", Value.of(unix.path().toString(), endpointSource));
          add("ads-direct-unix", values);
          return;
        }
        Endpoint.Tcp tcp = (Endpoint.Tcp) xds.endpoint();
        values.put("xds.host", Value.of(tcp.host(), endpointSource));
        values.put("xds.port", Value.of(tcp.port(), endpointSource));
        values.put(
            "xds.cluster_type",
            Value.of(tcp.isIpLiteral() ? "STATIC" : "LOGICAL_DNS", endpointSource));
        if (xds.tls()) {
          values.put("xds.ca_file", Value.of(caFile, caSource));
          values.put(
              "xds.transport_socket",
              new Value(
                  Templates.render("xds-tls", values, ignored -> {}),
                  "template xds-tls (" + source(Variables.MESHBOOT_XDS_TLS) + ")"));
        }
        add("ads-direct-tcp", values);
      }
    }
  }

  private void stats(StatsConfig stats, Map<String, Value> values) {
    if (config.files().statsConfig().isEmpty()) {
      if (stats.fixedTags()) {
        add("stats-tags", values);
      }
      if (stats.metricExtension()) {
        add("metric-extension", values);
      }
      add("listener-tags", values);
    }
    if (config.files().statsSinks().isEmpty() && stats.dogStatsd().isPresent()) {
      StatsConfig.DogStatsd sink = stats.dogStatsd().get();
      if (sink.socket().isPresent()) {
        values.put(
            "statsd.socket",
            Value.of(sink.socket().get().toString(), source(Variables.STATSD_SOCKET_PATH)));
        add("dogstatsd-uds", values);
      } else {
        values.put("statsd.address", Value.of(sink.address(), source(Variables.STATSD_ADDRESS)));
        values.put("statsd.port", Value.of(sink.port(), source(Variables.STATSD_PORT)));
        add("dogstatsd-udp", values);
      }
    }
  }

  private void tracing(TracingConfig tracing, Map<String, Value> values) {
    // if/else rather than a pattern switch, which bootstraps at run time and costs start-up.
    if (tracing instanceof TracingConfig.XRay xray) {
      values.put(
          "xray.segment_name", Value.of(xray.segmentName(), source(Variables.XRAY_SEGMENT_NAME)));
      String daemon =
          environment.given(Variables.AWS_XRAY_DAEMON_ADDRESS).isPresent()
              ? source(Variables.AWS_XRAY_DAEMON_ADDRESS)
              : source(Variables.XRAY_DAEMON_PORT);
      values.put("xray.address", Value.of(xray.daemonAddress(), daemon));
      values.put("xray.port", Value.of(xray.daemonPort(), daemon));
      xray.samplingRules()
          .ifPresent(
              file -> {
                Variable from =
                    xray.samplingRatePercent().isPresent()
                        ? Variables.XRAY_SAMPLING_RATE
                        : Variables.XRAY_SAMPLING_RULE_MANIFEST;
                JsonObject manifest = new JsonObject();
                manifest.addProperty("filename", file.toString());
                values.put("xray.sampling_rule_manifest", new Value(manifest, source(from)));
              });
      xray.samplingRatePercent()
          .ifPresent(
              rate ->
                  sideFiles.add(SamplingRules.manifest(xray.samplingRules().orElseThrow(), rate)));
      xray.samplingRules()
          .filter(file -> xray.samplingRatePercent().isEmpty())
          .ifPresent(SamplingRules::checkUserManifest);
      add("tracing-xray", values);
    } else if (tracing instanceof TracingConfig.Datadog datadog) {
      values.put(
          "datadog.service_name", Value.of(datadog.serviceName(), source(Variables.DD_SERVICE)));
      values.put(
          "datadog.address", Value.of(datadog.address(), source(Variables.DATADOG_TRACER_ADDRESS)));
      values.put("datadog.port", Value.of(datadog.port(), source(Variables.DATADOG_TRACER_PORT)));
      add("tracing-datadog", values);
    } else if (tracing instanceof TracingConfig.Jaeger jaeger) {
      values.put(
          "jaeger.endpoint_version",
          Value.of(
              jaeger.json() ? "HTTP_JSON" : "HTTP_PROTO", source(Variables.JAEGER_TRACER_VERSION)));
      values.put(
          "jaeger.address", Value.of(jaeger.address(), source(Variables.JAEGER_TRACER_ADDRESS)));
      values.put("jaeger.port", Value.of(jaeger.port(), source(Variables.JAEGER_TRACER_PORT)));
      add("tracing-zipkin", values);
    }
    // FromFile is merged with the other user files; None adds nothing.
  }

  /** Renders a template. */
  private void add(String template, Map<String, Value> values) {
    List<Provenance> fields = new ArrayList<>();
    fragments.put(template, Templates.render(template, values, fields::add));
    provenance.put(template, fields);
  }

  /** Parses a rendered template as a typed message and merges it into the bootstrap. */
  private static void merge(
      EnvoySchema schema, DynamicMessage.Builder bootstrap, String template, JsonElement json) {
    DynamicMessage.Builder fragment = DynamicMessage.newBuilder(schema.bootstrap());
    try {
      JsonFormat.parser().usingTypeRegistry(schema.typeRegistry()).merge(json.toString(), fragment);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "template " + template + " does not fit the Envoy API: " + e.getMessage(), e);
    }
    bootstrap.mergeFrom(fragment.build());
  }

  private String runtimeSources() {
    StringJoiner joiner = new StringJoiner(", ", "template base with ", "");
    for (Variable variable :
        List.of(
            Variables.APPMESH_SET_TRACING_DECISION,
            Variables.ENVOY_NO_EXTENSION_LOOKUP_BY_NAME,
            Variables.MAX_REQUESTS_PER_IO_CYCLE)) {
      joiner.add(source(variable));
    }
    return joiner.toString();
  }

  /** {@code ENVOY_ADMIN_ACCESS_PORT (default)}. */
  private String source(Variable variable) {
    return environment
        .setting(variable)
        .map(setting -> variable.name() + " (" + setting.describeOrigin() + ")")
        .orElse(variable.name() + " (unset)");
  }

  /** JSON helpers for metadata values. */
  static JsonArray array(List<String> items) {
    JsonArray array = new JsonArray();
    items.forEach(array::add);
    return array;
  }
}

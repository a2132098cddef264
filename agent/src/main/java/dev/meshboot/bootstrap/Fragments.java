package dev.meshboot.bootstrap;

import com.google.gson.JsonElement;
import dev.meshboot.config.AgentConfig;
import dev.meshboot.config.Environment;
import dev.meshboot.config.EnvoyBuild;
import dev.meshboot.config.HostFacts;
import dev.meshboot.config.MeshResource;
import dev.meshboot.config.PlatformFacts;
import dev.meshboot.config.StatsConfig;
import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import dev.meshboot.config.XdsConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The templates a sidecar's configuration selects, rendered with their values and where each value
 * came from (for {@code --explain}), and the side files they need; {@link Bootstraps} merges them.
 */
final class Fragments {

  private final AgentConfig config;
  private final Environment environment;
  private final HostFacts facts;
  private final PlatformFacts platform;

  /** Rendered templates; they are merged in the order of {@link Templates#NAMES}. */
  private final Map<String, JsonElement> fragments = new HashMap<>();

  /** Where each template's fields came from, by template. */
  private final Map<String, List<Provenance>> provenance = new HashMap<>();

  private final List<SideFile> sideFiles = new ArrayList<>();

  private Fragments(
      AgentConfig config, Environment environment, HostFacts facts, PlatformFacts platform) {
    this.config = config;
    this.environment = environment;
    this.facts = facts;
    this.platform = platform;
  }

  static Fragments render(
      AgentConfig config,
      java.util.function.Supplier<XdsConfig> xds,
      java.util.function.Supplier<Optional<EnvoyBuild>> envoy,
      Environment environment,
      HostFacts facts,
      PlatformFacts platform) {
    Fragments fragments = new Fragments(config, environment, facts, platform);
    fragments.renderTemplates(xds, envoy);
    return fragments;
  }

  Map<String, JsonElement> fragments() {
    return fragments;
  }

  Map<String, List<Provenance>> provenance() {
    return provenance;
  }

  List<SideFile> sideFiles() {
    return sideFiles;
  }

  /**
   * Renders every template; what needs {@code envoy --version} last (the management connection, and
   * the base template with the runtime keys the Envoy release keeps), so that the rest is done
   * while it runs. Their order here does not matter: the fragments merge in {@link
   * Templates#NAMES}' order.
   */
  private void renderTemplates(
      java.util.function.Supplier<XdsConfig> xds,
      java.util.function.Supplier<Optional<EnvoyBuild>> envoy) {
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
    NodeMetadata.locality(platform)
        .ifPresent(
            locality ->
                values.put("node.locality", new Value(locality, NodeMetadata.LOCALITY_SOURCE)));
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
    values.put("mesh.name", Value.of(resource.meshName(), meshSource));
    values.put("mesh.resource_name", Value.of(resource.name(), idSource + ", name"));
    values.put(
        "stats.kind_tag", Value.of("appmesh." + resource.kind().snakeCase(), idSource + ", kind"));
    values.put(
        "stats.kind_upper_camel", Value.of(resource.kind().upperCamel(), idSource + ", kind"));

    admin(values);
    stats(config.stats(), values);
    TracingFragment.values(config.tracing(), environment, this::source, values, sideFiles)
        .ifPresent(template -> add(template, values));
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
    add(ManagementFragment.values(xds.get(), environment, facts, this::source, values), values);
    Map<String, Object> runtime = config.runtime().staticLayerFor(envoy.get());
    values.put(
        "node.metadata",
        new Value(
            NodeMetadata.of(config, facts, platform, runtime),
            "node metadata (" + NodeMetadata.SOURCES + ")"));
    values.put(
        "runtime.static_layer", new Value(NodeMetadata.staticLayer(runtime), runtimeSources()));
    add("base", values);
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

  /** Renders a template. */
  private void add(String template, Map<String, Value> values) {
    List<Provenance> fields = new ArrayList<>();
    fragments.put(template, Templates.render(template, values, fields::add));
    provenance.put(template, fields);
  }

  private String runtimeSources() {
    StringJoiner joiner = new StringJoiner(", ", "template base with ", "");
    for (Variable variable :
        List.of(
            Variables.APPMESH_SET_TRACING_DECISION,
            Variables.ENVOY_NO_EXTENSION_LOOKUP_BY_NAME,
            Variables.ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS,
            Variables.MAX_REQUESTS_PER_IO_CYCLE)) {
      joiner.add(source(variable));
    }
    return joiner.toString();
  }

  /** {@code ENVOY_ADMIN_ACCESS_PORT (default)}. */
  String source(Variable variable) {
    return environment
        .setting(variable)
        .map(setting -> variable.name() + " (" + setting.describeOrigin() + ")")
        .orElse(variable.name() + " (unset)");
  }
}

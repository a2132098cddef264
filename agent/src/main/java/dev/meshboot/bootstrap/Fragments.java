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

  /**
   * The values of the fragments rendered so far, merged: a template may use an earlier fragment's
   * (the stats and X-Ray templates name the mesh), never a later one's.
   */
  private Placeholders values = Placeholders.NONE;

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
    values = resource();
    render(admin());
    MetricsFragment.of(config.admin(), environment, this::source).forEach(this::render);
    statsTemplates().forEach(this::render);
    dogStatsd(config.stats()).ifPresent(this::render);
    TracingFragment.of(config.tracing(), environment, this::source).ifPresent(this::render);
    config
        .runtime()
        .sdsSocket()
        .ifPresent(
            socket ->
                render(
                    new Fragment(
                        "sds",
                        Placeholders.of(
                            "sds",
                            "sds.socket",
                            Value.of(
                                socket.toString(), source(Variables.APPMESH_SDS_SOCKET_PATH))))));
    render(ManagementFragment.of(xds.get(), environment, facts, this::source));
    render(base(config.runtime().staticLayerFor(envoy.get())));
  }

  /** What the mesh resource names, which the base, stats and X-Ray templates use. */
  private Placeholders resource() {
    MeshResource resource = config.resource();
    String idSource = source(config.resourceSetting().variable());
    String meshSource = idSource + ", mesh";
    return Placeholders.builder("resource")
        .put("node.id", Value.of(resource.nodeId(), idSource))
        .put(
            "node.cluster",
            Value.of(
                config.cluster(),
                config
                    .clusterSetting()
                    .map(s -> source(s.variable()))
                    .orElse(idSource + ", as node id")))
        .put("mesh.name", Value.of(resource.meshName(), meshSource))
        .put("mesh.resource_name", Value.of(resource.name(), idSource + ", name"))
        .put(
            "stats.kind_tag",
            Value.of("appmesh." + resource.kind().snakeCase(), idSource + ", kind"))
        .put("stats.kind_upper_camel", Value.of(resource.kind().upperCamel(), idSource + ", kind"))
        .build();
  }

  private Fragment base(Map<String, Object> runtime) {
    Placeholders.Builder values = Placeholders.builder("base");
    NodeMetadata.locality(platform)
        .ifPresent(
            locality ->
                values.put("node.locality", new Value(locality, NodeMetadata.LOCALITY_SOURCE)));
    values
        .put(
            "outlier.event_log_path",
            Value.of(
                config.runtime().outlierEventLogPath(),
                source(Variables.ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH)))
        .put(
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
    values
        .put(
            "node.metadata",
            new Value(
                NodeMetadata.of(config, facts, platform, runtime),
                "node metadata (" + NodeMetadata.SOURCES + ")"))
        .put(
            "runtime.static_layer", new Value(NodeMetadata.staticLayer(runtime), runtimeSources()));
    return new Fragment("base", values.build());
  }

  private Fragment admin() {
    var admin = config.admin();
    Placeholders.Builder values =
        Placeholders.builder("admin")
            .put(
                "admin.access_log",
                Value.of(admin.accessLog(), source(Variables.ENVOY_ADMIN_ACCESS_LOG_FILE)));
    if (admin.uds()) {
      values.put(
          "admin.uds_path",
          Value.of(admin.udsPath().toString(), source(Variables.ENVOY_ADMIN_UDS_PATH)));
      return new Fragment("admin-uds", values.build());
    }
    String addressSource =
        environment.given(Variables.ENVOY_ADMIN_ACCESS_BIND_ADDRESS).isPresent()
            ? source(Variables.ENVOY_ADMIN_ACCESS_BIND_ADDRESS)
            : "default of ENVOY_ADMIN_ACCESS_BIND_ADDRESS with "
                + source(Variables.ENVOY_ADMIN_ACCESS_ENABLE_IPV6);
    values
        .put("admin.address", Value.of(admin.address(), addressSource))
        .put("admin.port", Value.of(admin.port(), source(Variables.ENVOY_ADMIN_ACCESS_PORT)));
    if (admin.ipv4Compat()) {
      values.put("admin.ipv4_compat", Value.of(true, addressSource + ", IPv6 any-address"));
    }
    return new Fragment("admin-tcp", values.build());
  }

  /** The stats templates, which need no values of their own; none when a user's file has stats. */
  private List<String> statsTemplates() {
    if (config.files().statsConfig().isPresent()) {
      return List.of();
    }
    List<String> templates = new ArrayList<>();
    if (config.stats().fixedTags()) {
      templates.add("stats-tags");
    }
    if (config.stats().metricExtension()) {
      templates.add("metric-extension");
    }
    templates.add("listener-tags");
    return templates;
  }

  /** The DogStatsD sink, unless a user's file has the sinks. */
  private Optional<Fragment> dogStatsd(StatsConfig stats) {
    if (config.files().statsSinks().isPresent() || stats.dogStatsd().isEmpty()) {
      return Optional.empty();
    }
    StatsConfig.DogStatsd sink = stats.dogStatsd().get();
    if (sink.socket().isPresent()) {
      return Optional.of(
          new Fragment(
              "dogstatsd-uds",
              Placeholders.of(
                  "stats",
                  "statsd.socket",
                  Value.of(sink.socket().get().toString(), source(Variables.STATSD_SOCKET_PATH)))));
    }
    return Optional.of(
        new Fragment(
            "dogstatsd-udp",
            Placeholders.builder("stats")
                .put("statsd.address", Value.of(sink.address(), source(Variables.STATSD_ADDRESS)))
                .put("statsd.port", Value.of(sink.port(), source(Variables.STATSD_PORT)))
                .build()));
  }

  /** Merges a fragment's values with those of the fragments before it, and renders its template. */
  private void render(Fragment fragment) {
    values = values.and(fragment.values());
    sideFiles.addAll(fragment.sideFiles());
    render(fragment.template());
  }

  /** Renders a template with the values merged so far. */
  private void render(String template) {
    List<Provenance> fields = new ArrayList<>();
    fragments.put(template, Templates.render(template, values.values(), fields::add));
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

package dev.meshboot.bootstrap;

import dev.meshboot.config.Endpoint;
import dev.meshboot.config.Environment;
import dev.meshboot.config.HostFacts;
import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import dev.meshboot.config.XdsConfig;
import java.util.function.Function;

/** The values of the management connection's template (ADS over the relay, aws-iam or direct). */
final class ManagementFragment {

  private ManagementFragment() {}

  /** The mode's template and its values. */
  static Fragment of(
      XdsConfig xds, Environment environment, HostFacts facts, Function<Variable, String> source) {
    Placeholders.Builder values = Placeholders.builder("management");
    String modeSource =
        source.apply(Variables.MESHBOOT_XDS_MODE) + ": " + String.join("; ", xds.decisions());
    String endpointSource =
        xds.mesh().isPresent()
            ? source.apply(Variables.MESHBOOT_MESH_SOCKET)
                + " (the embedded control plane, "
                + source.apply(Variables.MESHBOOT_MESH)
                + ")"
            : environment.given(Variables.APPMESH_XDS_ENDPOINT).isPresent()
                ? source.apply(Variables.APPMESH_XDS_ENDPOINT)
                : "regional endpoint from "
                    + xds.regionSource().orElse(source.apply(Variables.AWS_REGION))
                    + " ("
                    + modeSource
                    + ")";
    String caFile = xds.caFile().orElse(facts.caBundle()).toString();
    String caSource =
        xds.caFile().isPresent()
            ? source.apply(Variables.MESHBOOT_XDS_CA_FILE)
            : "the system CA bundle";
    // Signing applies to App Mesh endpoints, which have a region (aws-iam always does).
    xds.region()
        .ifPresent(
            region -> {
              values.put(
                  "xds.signing_name",
                  Value.of(xds.signingName(), source.apply(Variables.APPMESH_SIGNING_NAME)));
              values.put(
                  "xds.region",
                  Value.of(region, xds.regionSource().orElse(source.apply(Variables.AWS_REGION))));
            });
    return switch (xds.mode()) {
      case RELAY -> {
        values.put(
            "xds.relay_socket",
            Value.of(
                xds.relaySocket().toString(),
                source.apply(Variables.MESHBOOT_XDS_RELAY_SOCKET) + " (" + modeSource + ")"));
        values.put("xds.upstream", Value.of(xds.endpoint().toString(), endpointSource));
        values.put("xds.tls", Value.of(xds.tls(), endpointSource));
        // Only a CA named for the management endpoint: the relay trusts the JDK's CAs otherwise.
        if (xds.caFile().isPresent()) {
          values.put("xds.ca_file", Value.of(caFile, caSource));
        }
        yield new Fragment("ads-relay", values.build());
      }
      case AWS_IAM -> {
        values.put("xds.target_uri", Value.of(xds.endpoint().toString(), endpointSource));
        values.put("xds.ca_file", Value.of(caFile, caSource));
        yield new Fragment("ads-aws-iam", values.build());
      }
      case DIRECT, AUTO -> {
        if (xds.endpoint() instanceof Endpoint.Unix unix) {
          values.put("xds.unix_path", Value.of(unix.path().toString(), endpointSource));
          xds.mesh()
              .ifPresent(
                  mesh -> {
                    values.put(
                        "xds.cluster_metadata",
                        new Value(meshMetadata(mesh), source.apply(Variables.MESHBOOT_MESH)));
                    values.put(
                        "xds.retry_policy",
                        new Value(quickRetries(), source.apply(Variables.MESHBOOT_MESH)));
                  });
          yield new Fragment("ads-direct-unix", values.build());
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
                  Templates.render("xds-tls", values.build().values(), ignored -> {}),
                  "template xds-tls (" + source.apply(Variables.MESHBOOT_XDS_TLS) + ")"));
        }
        yield new Fragment("ads-direct-tcp", values.build());
      }
    };
  }

  /**
   * The xDS stream's retry policy toward the embedded control plane's socket, which the JVM that
   * supervises Envoy serves itself: from 25 ms up to 100 ms (Envoy's default, for a remote server,
   * is 500 ms up to 30 s, each full-jittered). An Envoy the launcher started before the JVM serves
   * it connects within ~0.1 s of it; a stream that breaks while the JVM runs costs a local connect
   * every 100 ms at most.
   */
  private static com.google.gson.JsonObject quickRetries() {
    com.google.gson.JsonObject backOff = new com.google.gson.JsonObject();
    backOff.addProperty("base_interval", "0.025s");
    backOff.addProperty("max_interval", "0.1s");
    com.google.gson.JsonObject policy = new com.google.gson.JsonObject();
    policy.add("retry_back_off", backOff);
    return policy;
  }

  /**
   * {@code filter_metadata["meshboot.mesh"]} on the xDS cluster: which definition {@code meshboot
   * run} serves on the cluster's socket, read back from the written bootstrap ({@code MeshTarget}).
   */
  private static com.google.gson.JsonObject meshMetadata(java.nio.file.Path mesh) {
    com.google.gson.JsonObject definition = new com.google.gson.JsonObject();
    definition.addProperty("definition", mesh.toString());
    com.google.gson.JsonObject filter = new com.google.gson.JsonObject();
    filter.add("meshboot.mesh", definition);
    com.google.gson.JsonObject metadata = new com.google.gson.JsonObject();
    metadata.add("filter_metadata", filter);
    return metadata;
  }
}

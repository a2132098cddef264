package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPMESH_RESOURCE_ARN;
import static dev.meshboot.config.Variables.APPMESH_RESOURCE_CLUSTER;
import static dev.meshboot.config.Variables.APPMESH_RESOURCE_NAME;
import static dev.meshboot.config.Variables.APPMESH_VIRTUAL_NODE_CLUSTER;
import static dev.meshboot.config.Variables.APPMESH_VIRTUAL_NODE_NAME;

import java.util.List;
import java.util.Optional;

/**
 * Everything the environment contract says about one sidecar, parsed and checked.
 *
 * @param resource the node id and what it names
 * @param resourceSetting the variable the node id came from
 * @param cluster {@code node.cluster}
 * @param clusterSetting the variable the cluster came from, empty when it is the node id
 */
public record AgentConfig(
    MeshResource resource,
    Setting resourceSetting,
    String cluster,
    Optional<Setting> clusterSetting,
    AdminConfig admin,
    RuntimeConfig runtime,
    StatsConfig stats,
    TracingConfig tracing,
    FragmentFiles files,
    PlatformInfo platform) {

  /**
   * Parses the contract from the environment, except the management connection: see {@link
   * XdsConfig#resolve(Environment, java.util.function.Supplier)}, which may wait for Envoy.
   *
   * @throws ConfigException naming the first variable that is wrong
   */
  public static AgentConfig from(Environment environment) {
    environment.checkAll();
    ConfigReader reader = new ConfigReader(environment);
    Setting id =
        firstGiven(
                environment, APPMESH_RESOURCE_ARN, APPMESH_RESOURCE_NAME, APPMESH_VIRTUAL_NODE_NAME)
            .orElseThrow(
                () ->
                    new ConfigException(
                        APPMESH_RESOURCE_ARN.name(),
                        "APPMESH_RESOURCE_ARN must be set (the node's App Mesh ARN, such as"
                            + " arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/cart)"));
    MeshResource resource = MeshResource.parse(id);
    Optional<Setting> cluster =
        firstGiven(environment, APPMESH_RESOURCE_CLUSTER, APPMESH_VIRTUAL_NODE_CLUSTER);
    return new AgentConfig(
        resource,
        id,
        cluster.map(setting -> setting.value().trim()).orElse(resource.nodeId()),
        cluster,
        AdminConfig.from(reader),
        RuntimeConfig.from(reader),
        StatsConfig.from(reader),
        TracingConfig.from(reader, resource),
        FragmentFiles.from(reader),
        PlatformInfo.from(reader));
  }

  private static Optional<Setting> firstGiven(Environment environment, Variable... variables) {
    for (Variable variable : List.of(variables)) {
      Optional<Setting> given = environment.given(variable);
      if (given.isPresent()) {
        return given;
      }
    }
    return Optional.empty();
  }
}

package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION;
import static dev.meshboot.config.Variables.APPMESH_PLATFORM_K8S_POD_UID;
import static dev.meshboot.config.Variables.APPMESH_PLATFORM_K8S_VERSION;
import static dev.meshboot.config.Variables.APPNET_CONTAINER_IP_MAPPING;
import static dev.meshboot.config.Variables.AWS_EXECUTION_ENV;

import java.util.Optional;

/**
 * What the platform's environment says about where the workload runs (node metadata).
 *
 * @param executionEnv ECS's {@code AWS_EXECUTION_ENV}, such as {@code AWS_ECS_FARGATE}
 * @param kubernetes the App Mesh controller's platform variables, when all three are set
 * @param containerIpMapping ECS's {@code APPNET_CONTAINER_IP_MAPPING} (container name to address)
 */
public record PlatformInfo(
    Optional<String> executionEnv,
    Optional<Kubernetes> kubernetes,
    Optional<String> containerIpMapping) {

  /** The downward-API values the App Mesh controller injects. */
  public record Kubernetes(String version, String podUid, String controllerVersion) {}

  static PlatformInfo from(ConfigReader reader) {
    Optional<String> k8s = reader.optionalString(APPMESH_PLATFORM_K8S_VERSION);
    Optional<String> pod = reader.optionalString(APPMESH_PLATFORM_K8S_POD_UID);
    Optional<String> controller =
        reader.optionalString(APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION);
    Optional<Kubernetes> kubernetes =
        k8s.isPresent() && pod.isPresent() && controller.isPresent()
            ? Optional.of(
                new Kubernetes(k8s.get().trim(), pod.get().trim(), controller.get().trim()))
            : Optional.empty();
    return new PlatformInfo(
        reader.optionalString(AWS_EXECUTION_ENV).map(String::trim),
        kubernetes,
        reader.optionalString(APPNET_CONTAINER_IP_MAPPING));
  }
}

package dev.meshboot.bootstrap;

import com.google.gson.JsonObject;
import dev.meshboot.config.AgentConfig;
import dev.meshboot.config.HostFacts;
import dev.meshboot.config.PlatformInfo;
import java.util.Map;

/** The node metadata App Mesh's control plane reads (contract §7). */
final class NodeMetadata {

  static final String SOURCES =
      "host interfaces, uname, AWS_EXECUTION_ENV, APPMESH_PLATFORM_*, runtime variables,"
          + " APPMESH_METRIC_EXTENSION_VERSION";

  private NodeMetadata() {}

  static JsonObject of(AgentConfig config, HostFacts facts) {
    JsonObject metadata = new JsonObject();
    metadata.add("aws.appmesh.task.interfaces", interfaces(facts));
    metadata.add("aws.appmesh.platformInfo", platformInfo(config.platform(), facts));
    metadata.add("aws.appmesh.static_runtime", staticLayer(config));
    if (config.stats().metricExtension()) {
      JsonObject filter = new JsonObject();
      filter.addProperty("level", "1");
      metadata.add("aws.appmesh.metric_filter", filter);
    }
    return metadata;
  }

  static JsonObject staticLayer(AgentConfig config) {
    JsonObject layer = new JsonObject();
    for (Map.Entry<String, Object> entry : config.runtime().staticLayer().entrySet()) {
      Object value = entry.getValue();
      if (value instanceof Boolean flag) {
        layer.addProperty(entry.getKey(), flag);
      } else if (value instanceof Number number) {
        layer.addProperty(entry.getKey(), number);
      } else {
        layer.addProperty(entry.getKey(), value.toString());
      }
    }
    return layer;
  }

  private static JsonObject interfaces(HostFacts facts) {
    JsonObject ipv4 = new JsonObject();
    JsonObject ipv6 = new JsonObject();
    for (HostFacts.NetworkInterface nic : facts.interfaces()) {
      if (!nic.ipv4().isEmpty()) {
        ipv4.add(nic.name(), Bootstraps.array(nic.ipv4()));
      }
      if (!nic.ipv6().isEmpty()) {
        ipv6.add(nic.name(), Bootstraps.array(nic.ipv6()));
      }
    }
    JsonObject out = new JsonObject();
    if (!(ipv4.size() == 0)) {
      out.add("ipv4", ipv4);
    }
    if (!(ipv6.size() == 0)) {
      out.add("ipv6", ipv6);
    }
    return out;
  }

  private static JsonObject platformInfo(PlatformInfo platform, HostFacts facts) {
    JsonObject info = new JsonObject();
    platform
        .kubernetes()
        .ifPresent(
            k8s -> {
              JsonObject out = new JsonObject();
              out.addProperty("k8sVersion", k8s.version());
              out.addProperty("podUid", k8s.podUid());
              out.addProperty("appMeshControllerVersion", k8s.controllerVersion());
              info.add("k8sPlatformInfo", out);
            });
    platform
        .executionEnv()
        .ifPresent(
            env -> {
              // The cluster and task ARNs, limits and zone come from task metadata (a later issue).
              JsonObject out = new JsonObject();
              out.addProperty("ecsLaunchType", env.replaceFirst("^AWS_ECS_", ""));
              info.add("ecsPlatformInfo", out);
            });
    JsonObject system = new JsonObject();
    system.addProperty("systemPlatform", facts.systemPlatform());
    system.addProperty("systemKernelVersion", facts.kernelVersion());
    info.add("systemInfo", system);
    return info;
  }
}

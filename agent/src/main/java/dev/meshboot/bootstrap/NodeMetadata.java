package dev.meshboot.bootstrap;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.meshboot.config.AgentConfig;
import dev.meshboot.config.HostFacts;
import dev.meshboot.config.PlatformFacts;
import dev.meshboot.config.PlatformInfo;
import dev.meshboot.io.Addresses;
import java.util.Map;
import java.util.Optional;

/** The node metadata App Mesh's control plane reads (contract §7). */
final class NodeMetadata {

  static final String SOURCES =
      "host interfaces, uname, AWS_EXECUTION_ENV, APPMESH_PLATFORM_*, ECS task metadata, EC2"
          + " instance metadata, runtime variables, APPMESH_METRIC_EXTENSION_VERSION";

  static final String LOCALITY_SOURCE =
      "EC2 instance metadata (placement/region, placement/availability-zone-id)";

  private NodeMetadata() {}

  static JsonObject of(
      AgentConfig config, HostFacts facts, PlatformFacts platform, Map<String, Object> runtime) {
    JsonObject metadata = new JsonObject();
    metadata.add("aws.appmesh.task.interfaces", interfaces(facts));
    metadata.add("aws.appmesh.platformInfo", platformInfo(config.platform(), facts, platform));
    metadata.add("aws.appmesh.static_runtime", staticLayer(runtime));
    if (config.stats().metricExtension()) {
      JsonObject filter = new JsonObject();
      filter.addProperty("level", "1");
      metadata.add("aws.appmesh.metric_filter", filter);
    }
    return metadata;
  }

  /**
   * {@code node.locality}: the instance's region and availability zone ID (the same physical zone
   * in every account, unlike the zone's name), when the instance metadata gave the ID.
   */
  static Optional<JsonObject> locality(PlatformFacts platform) {
    return platform
        .placement()
        .filter(placement -> placement.zoneId().isPresent())
        .map(
            placement -> {
              JsonObject locality = new JsonObject();
              locality.addProperty("region", placement.region());
              locality.addProperty("zone", placement.zoneId().orElseThrow());
              return locality;
            });
  }

  /** The runtime's static layer as JSON (the bootstrap's layer and the control plane's copy). */
  static JsonObject staticLayer(Map<String, Object> runtime) {
    JsonObject layer = new JsonObject();
    for (Map.Entry<String, Object> entry : runtime.entrySet()) {
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

  /**
   * {@code supportedIPFamilies} as AWS's agent wrote it: in bridge mode the pause container has
   * both families even in an IPv6-only task, so there {@code ALL} becomes {@code IPv6_ONLY} when
   * the first address of ECS's container IP mapping is IPv6 (no mapping, or one that does not
   * parse, leaves {@code ALL}).
   */
  static String supportedIpFamilies(PlatformFacts.IpFamilies families, Optional<String> mapping) {
    if (!families.fromPauseContainer() || !families.families().equals("ALL") || mapping.isEmpty()) {
      return families.families();
    }
    try {
      JsonElement parsed = JsonParser.parseString(mapping.get());
      if (parsed.isJsonObject()) {
        for (Map.Entry<String, JsonElement> entry : parsed.getAsJsonObject().entrySet()) {
          JsonElement address = entry.getValue();
          boolean ipv6 =
              address.isJsonPrimitive()
                  && address.getAsJsonPrimitive().isString()
                  && Addresses.isIpv6(address.getAsString())
                  && !address
                      .getAsString()
                      .toLowerCase(java.util.Locale.ROOT)
                      .startsWith("::ffff:");
          return ipv6 ? "IPv6_ONLY" : "ALL";
        }
      }
    } catch (JsonParseException e) {
      // AWS's agent kept ALL when the mapping did not parse
    }
    return "ALL";
  }

  private static JsonObject platformInfo(
      PlatformInfo platform, HostFacts facts, PlatformFacts metadata) {
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
    Optional<PlatformFacts.EcsTask> task = metadata.task();
    if (platform.executionEnv().isPresent() || task.isPresent()) {
      JsonObject ecs = new JsonObject();
      Optional<String> launchType =
          task.flatMap(PlatformFacts.EcsTask::launchType)
              .or(() -> platform.executionEnv().map(env -> env.replaceFirst("^AWS_ECS_", "")));
      launchType.ifPresent(type -> ecs.addProperty("ecsLaunchType", type));
      task.ifPresent(
          t -> {
            t.clusterArn().ifPresent(arn -> ecs.addProperty("ecsClusterArn", arn));
            t.taskArn().ifPresent(arn -> ecs.addProperty("ecsTaskArn", arn));
            t.cpuLimit().ifPresent(cpu -> ecs.addProperty("ecsTaskCpuLimit", cpu));
            t.memoryLimit().ifPresent(memory -> ecs.addProperty("ecsTaskMemoryLimit", memory));
          });
      info.add("ecsPlatformInfo", ecs);
      task.flatMap(PlatformFacts.EcsTask::ipFamilies)
          .map(families -> supportedIpFamilies(families, platform.containerIpMapping()))
          .ifPresent(families -> info.addProperty("supportedIPFamilies", families));
    }
    // Where the reference agent puts them: beside the platform's own block.
    task.flatMap(PlatformFacts.EcsTask::availabilityZone)
        .or(() -> metadata.placement().map(PlatformFacts.Placement::availabilityZone))
        .ifPresent(zone -> info.addProperty("AvailabilityZone", zone));
    metadata
        .placement()
        .flatMap(PlatformFacts.Placement::zoneId)
        .ifPresent(id -> info.addProperty("AvailabilityZoneID", id));
    JsonObject system = new JsonObject();
    system.addProperty("systemPlatform", facts.systemPlatform());
    system.addProperty("systemKernelVersion", facts.kernelVersion());
    info.add("systemInfo", system);
    return info;
  }
}

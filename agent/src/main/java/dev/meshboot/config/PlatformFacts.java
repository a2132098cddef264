package dev.meshboot.config;

import java.util.Optional;

/**
 * What the platform's metadata services said about where the workload runs, for node metadata and
 * {@code node.locality} (contract §7); each part is empty when its service was not asked or gave no
 * usable answer.
 *
 * @param task the ECS task, from task metadata v4
 * @param placement the EC2 instance's placement, from instance metadata
 */
public record PlatformFacts(Optional<EcsTask> task, Optional<Placement> placement) {

  /** No metadata service was asked. */
  public static final PlatformFacts NONE = new PlatformFacts(Optional.empty(), Optional.empty());

  /**
   * The fields of {@code $ECS_CONTAINER_METADATA_URI_V4/task} that go into node metadata; older
   * container agents leave some out.
   *
   * @param launchType {@code LaunchType}: FARGATE or EC2
   * @param clusterArn {@code Cluster}
   * @param taskArn {@code TaskARN}
   * @param cpuLimit {@code Limits.CPU}, the task's vCPUs, as the endpoint wrote the number
   * @param memoryLimit {@code Limits.Memory}, the task's MiB, as the endpoint wrote the number
   * @param availabilityZone {@code AvailabilityZone}, such as us-west-2a
   * @param ipFamilies the address families of the task's network, as AWS's agent read them from
   *     {@code Containers[].Networks}: {@code IPv4_ONLY}, {@code IPv6_ONLY} or {@code ALL}
   */
  public record EcsTask(
      Optional<String> launchType,
      Optional<String> clusterArn,
      Optional<String> taskArn,
      Optional<String> cpuLimit,
      Optional<String> memoryLimit,
      Optional<String> availabilityZone,
      Optional<IpFamilies> ipFamilies) {}

  /**
   * The address families a task's containers have.
   *
   * @param families {@code IPv4_ONLY}, {@code IPv6_ONLY} or {@code ALL}
   * @param fromPauseContainer read from bridge mode's {@code CNI_PAUSE} container, which has both
   *     families even in an IPv6-only task: then {@code APPNET_CONTAINER_IP_MAPPING} decides
   */
  public record IpFamilies(String families, boolean fromPauseContainer) {}

  /**
   * Where the EC2 instance is.
   *
   * @param region {@code placement/region}
   * @param availabilityZone {@code placement/availability-zone}, such as us-west-2a (its mapping to
   *     a physical zone differs between accounts)
   * @param zoneId {@code placement/availability-zone-id}, such as usw2-az1 (the same in every
   *     account), when the instance metadata has it
   */
  public record Placement(String region, String availabilityZone, Optional<String> zoneId) {}
}

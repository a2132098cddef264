package dev.meshboot.mesh.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.mesh.NodeResources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Make before break: the clusters a change removes stay beside the new routes for a while. */
class MeshCacheRemovalTest {

  private static Cluster cluster(String name) {
    return Cluster.newBuilder().setName(name).build();
  }

  private static ClusterLoadAssignment endpoints(String cluster) {
    return ClusterLoadAssignment.newBuilder().setClusterName(cluster).build();
  }

  private static NodeResources node(String route, List<String> clusters, List<String> eds) {
    return new NodeResources(
        List.of(),
        clusters.stream().map(MeshCacheRemovalTest::cluster).toList(),
        List.of(RouteConfiguration.newBuilder().setName(route).build()),
        eds.stream().map(MeshCacheRemovalTest::endpoints).toList(),
        List.of());
  }

  @Test
  void aChangeThatRemovesClustersIsBridgedWithThemAndTheNewRoutes() {
    NodeResources before = node("old", List.of("blue", "green"), List.of("blue"));
    NodeResources now = node("new", List.of("green", "red"), List.of("red"));
    NodeResources bridge = MeshCache.withRemovedClusters(before, now).orElseThrow();
    assertThat(bridge.routes()).isEqualTo(now.routes());
    assertThat(bridge.clusters())
        .extracting(Cluster::getName)
        .containsExactly("blue", "green", "red");
    assertThat(bridge.endpoints())
        .extracting(ClusterLoadAssignment::getClusterName)
        .containsExactly("blue", "red");
  }

  @Test
  void aChangeThatRemovesNoClusterNeedsNoBridge() {
    NodeResources before = node("old", List.of("green"), List.of());
    assertThat(
            MeshCache.withRemovedClusters(before, node("new", List.of("green", "red"), List.of())))
        .isEmpty();
  }
}

package dev.meshboot.mesh.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshboot.mesh.NodeResources;
import dev.meshboot.xds.EnvoyResources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeSnapshotTest {

  private static NodeResources node(List<Cluster> clusters, List<RouteConfiguration> routes) {
    return new NodeResources(List.of(), clusters, routes, List.of(), List.of());
  }

  private static final Cluster A = EnvoyResources.staticCluster("a", 1);
  private static final Cluster B = EnvoyResources.staticCluster("b", 1);
  private static final RouteConfiguration R = EnvoyResources.answering("r", "hello");
  private static final RouteConfiguration S = EnvoyResources.answering("s", "hello");

  @Test
  void equalResourcesHaveEqualVersionsWhateverTheirOrder() {
    NodeSnapshot one = NodeSnapshot.of(node(List.of(A, B), List.of(R)));
    NodeSnapshot two = NodeSnapshot.of(node(List.of(B, A), List.of(R)));

    assertThat(two.version()).isEqualTo(one.version()).hasSize(16);
    assertThat(two.version(ResourceType.CLUSTER)).isEqualTo(one.version(ResourceType.CLUSTER));
    assertThat(two.clusters().versionedResources().get("a").version())
        .isEqualTo(one.clusters().versionedResources().get("a").version());
  }

  @Test
  void aChangedResourceChangesItsTypeAndTheNodeButNoOtherType() {
    NodeSnapshot before = NodeSnapshot.of(node(List.of(A, B), List.of(R)));
    NodeSnapshot after =
        NodeSnapshot.of(node(List.of(A, EnvoyResources.staticCluster("b", 2)), List.of(R)));

    assertThat(after.version()).isNotEqualTo(before.version());
    assertThat(after.version(ResourceType.CLUSTER))
        .isNotEqualTo(before.version(ResourceType.CLUSTER));
    assertThat(after.version(ResourceType.ROUTE)).isEqualTo(before.version(ResourceType.ROUTE));
    assertThat(after.clusters().versionedResources().get("a").version())
        .isEqualTo(before.clusters().versionedResources().get("a").version());
    assertThat(after.clusters().versionedResources().get("b").version())
        .isNotEqualTo(before.clusters().versionedResources().get("b").version());
  }

  @Test
  void theVersionOfNamedResourcesDependsOnThoseOnly() {
    NodeSnapshot before = NodeSnapshot.of(node(List.of(), List.of(R, S)));
    NodeSnapshot after =
        NodeSnapshot.of(node(List.of(), List.of(R, EnvoyResources.answering("s", "changed"))));

    assertThat(after.version(ResourceType.ROUTE, List.of("r")))
        .isEqualTo(before.version(ResourceType.ROUTE, List.of("r")));
    assertThat(after.version(ResourceType.ROUTE, List.of("s", "r")))
        .isNotEqualTo(before.version(ResourceType.ROUTE, List.of("r", "s")));
    assertThat(before.version(ResourceType.ROUTE, List.of("s", "r")))
        .isEqualTo(before.version(ResourceType.ROUTE, List.of("r", "s")));
  }

  @Test
  void twoResourcesOfOneNameAreRefused() {
    assertThatThrownBy(() -> NodeSnapshot.of(node(List.of(A, A), List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("named a");
  }
}

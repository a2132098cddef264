package dev.meshboot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The relay's wire reading against the generated Envoy API classes. */
class WireTest {

  static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  @Test
  void readsStateOfTheWorldResponsesAndRequests() throws Exception {
    byte[] response =
        DiscoveryResponse.newBuilder()
            .setVersionInfo("v7")
            .addResources(
                Any.newBuilder().setTypeUrl(CLUSTER).setValue(ByteString.copyFrom(new byte[4096])))
            .setTypeUrl(CLUSTER)
            .setNonce("n7")
            .build()
            .toByteArray();
    assertThat(Wire.sotwResponse(response)).isEqualTo(new Wire.Response(CLUSTER, "v7", "n7"));

    byte[] ack =
        DiscoveryRequest.newBuilder()
            .setVersionInfo("v7")
            .setNode(Node.newBuilder().setId("mesh/shop/virtualNode/cart"))
            .addResourceNames("a")
            .setTypeUrl(CLUSTER)
            .setResponseNonce("n7")
            .build()
            .toByteArray();
    Wire.Request read = Wire.sotwRequest(ack);
    assertThat(read)
        .isEqualTo(
            new Wire.Request(
                CLUSTER,
                "v7",
                "n7",
                Optional.empty(),
                Optional.of("mesh/shop/virtualNode/cart"),
                List.of("a")));
    assertThat(read.isNack()).isFalse();
    assertThat(read.answers()).isTrue();

    // Without its version, the request is the same otherwise.
    DiscoveryRequest fresh = DiscoveryRequest.parseFrom(Wire.withoutVersion(ack));
    assertThat(fresh)
        .isEqualTo(DiscoveryRequest.parseFrom(ack).toBuilder().clearVersionInfo().build());

    byte[] nack =
        DiscoveryRequest.newBuilder()
            .setVersionInfo("v6")
            .setTypeUrl(CLUSTER)
            .setResponseNonce("n7")
            .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage("bad cluster"))
            .build()
            .toByteArray();
    assertThat(Wire.sotwRequest(nack).error()).contains("bad cluster");
  }

  @Test
  void readsDeltaResponsesAndRequests() throws Exception {
    byte[] response =
        DeltaDiscoveryResponse.newBuilder()
            .setSystemVersionInfo("d3")
            .addResources(Resource.newBuilder().setName("c").setVersion("1"))
            .setTypeUrl(CLUSTER)
            .addRemovedResources("old")
            .setNonce("dn3")
            .build()
            .toByteArray();
    assertThat(Wire.deltaResponse(response)).isEqualTo(new Wire.Response(CLUSTER, "d3", "dn3"));
    byte[] nack =
        DeltaDiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId("n"))
            .setTypeUrl(CLUSTER)
            .addResourceNamesSubscribe("c")
            .setResponseNonce("dn3")
            .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3))
            .build()
            .toByteArray();
    Wire.Request read = Wire.deltaRequest(nack);
    assertThat(read.typeUrl()).isEqualTo(CLUSTER);
    assertThat(read.nonce()).isEqualTo("dn3");
    assertThat(read.error()).contains("code 3");
    assertThat(read.nodeId()).contains("n");
  }
}

package dev.meshboot.mesh.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.NodeKey;
import org.junit.jupiter.api.Test;

class PeerIdentityTest {

  @Test
  void aSpiffeIdWhosePathIsTheNodeIdNamesTheNode() {
    assertThat(PeerIdentity.node("spiffe://example.org/mesh/shop/virtualNode/cart"))
        .contains(new NodeKey("shop", Kind.VIRTUAL_NODE, "cart"));
    assertThat(PeerIdentity.node("spiffe://example.org/mesh/shop/virtualGateway/edge"))
        .contains(new NodeKey("shop", Kind.VIRTUAL_GATEWAY, "edge"));
  }

  @Test
  void anArnNamesTheNode() {
    assertThat(
            PeerIdentity.node("arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/cart"))
        .contains(new NodeKey("shop", Kind.VIRTUAL_NODE, "cart"));
  }

  @Test
  void otherNamesNameNoNode() {
    assertThat(PeerIdentity.node("spiffe://example.org/ns/shop/sa/cart")).isEmpty();
    assertThat(PeerIdentity.node("spiffe://example.org")).isEmpty();
    assertThat(PeerIdentity.node("https://example.org/mesh/shop/virtualNode/cart")).isEmpty();
    assertThat(PeerIdentity.node("spiffe://example.org/x/mesh/shop/virtualNode/cart")).isEmpty();
  }
}

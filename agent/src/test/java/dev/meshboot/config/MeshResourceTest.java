package dev.meshboot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshResourceTest {

  private static MeshResource parse(String value) {
    return MeshResource.parse(
        new Setting(Variables.APPMESH_RESOURCE_ARN, value, Setting.Origin.ENVIRONMENT));
  }

  @Test
  void parsesAFullArn() {
    MeshResource resource =
        parse("arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/cart");
    assertThat(resource.mesh()).isEqualTo("shop");
    assertThat(resource.kind()).isEqualTo(MeshResource.Kind.VIRTUAL_NODE);
    assertThat(resource.name()).isEqualTo("cart");
    assertThat(resource.arnRegion()).contains("us-west-2");
    assertThat(resource.nodeId())
        .isEqualTo("arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/cart");
  }

  @Test
  void parsesTheShortFormAndASharedMesh() {
    MeshResource resource = parse("mesh/shop@444455556666/virtualGateway/edge");
    assertThat(resource.mesh()).isEqualTo("shop");
    assertThat(resource.meshOwner()).contains("444455556666");
    assertThat(resource.kind()).isEqualTo(MeshResource.Kind.VIRTUAL_GATEWAY);
    assertThat(resource.arnRegion()).isEqualTo(Optional.empty());
  }

  @Test
  void namesASharedMeshWithItsOwnerAsAwsAgentDid() {
    assertThat(parse("mesh/shop@444455556666/virtualNode/cart").meshName())
        .isEqualTo("shop@444455556666");
    assertThat(parse("mesh/shop/virtualNode/cart").meshName()).isEqualTo("shop");
  }

  @Test
  void parsesOtherPartitions() {
    assertThat(parse("arn:aws-cn:appmesh:cn-north-1:111122223333:mesh/m/virtualNode/n").arnRegion())
        .contains("cn-north-1");
    assertThat(
            parse("arn:aws-us-gov:appmesh:us-gov-west-1:111122223333:mesh/m/virtualNode/n").mesh())
        .isEqualTo("m");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "cart",
        "mesh/shop/virtualService/cart",
        "mesh/shop/virtualNode",
        "mesh/shop/virtualNode/cart/extra",
        "arn:aws:appmesh:us-west-2:1111:mesh/shop/virtualNode/cart",
        "arn:aws:ec2:us-west-2:111122223333:mesh/shop/virtualNode/cart"
      })
  void rejectsAnythingElseNamingTheForm(String value) {
    assertThatThrownBy(() -> parse(value))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("APPMESH_RESOURCE_ARN: expected arn:aws:appmesh:")
        .hasMessageContaining("\"" + value + "\"");
  }
}

package dev.meshboot.mesh;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The kinds of App Mesh resource a definition holds, with the names the App Mesh API gives their
 * members: the create request's name member ({@code virtualNodeName}), the describe response's
 * wrapper ({@code virtualNode}), the spec shape ({@code VirtualNodeSpec}) and, for routes and
 * gateway routes, the member naming their parent.
 */
public enum Kind {
  MESH("mesh", "meshName", "MeshSpec", null),
  VIRTUAL_NODE("virtualNode", "virtualNodeName", "VirtualNodeSpec", null),
  VIRTUAL_SERVICE("virtualService", "virtualServiceName", "VirtualServiceSpec", null),
  VIRTUAL_ROUTER("virtualRouter", "virtualRouterName", "VirtualRouterSpec", null),
  ROUTE("route", "routeName", "RouteSpec", "virtualRouterName"),
  VIRTUAL_GATEWAY("virtualGateway", "virtualGatewayName", "VirtualGatewaySpec", null),
  GATEWAY_ROUTE("gatewayRoute", "gatewayRouteName", "GatewayRouteSpec", "virtualGatewayName");

  private final String wrapper;
  private final String nameMember;
  private final String specShape;
  private final @Nullable String parentMember;

  Kind(String wrapper, String nameMember, String specShape, @Nullable String parentMember) {
    this.wrapper = wrapper;
    this.nameMember = nameMember;
    this.specShape = specShape;
    this.parentMember = parentMember;
  }

  /** The describe response's member holding the resource: {@code virtualNode}. */
  public String wrapper() {
    return wrapper;
  }

  /** The create request's member naming the resource: {@code virtualNodeName}. */
  public String nameMember() {
    return nameMember;
  }

  /** The API model's shape of the resource's spec: {@code VirtualNodeSpec}. */
  public String specShape() {
    return specShape;
  }

  /** The member naming the parent (a route's router, a gateway route's gateway), if any. */
  public Optional<String> parentMember() {
    return Optional.ofNullable(parentMember);
  }

  /** The create operation's input shape in the API model: {@code CreateVirtualNodeInput}. */
  public String createInputShape() {
    return "Create" + capitalized() + "Input";
  }

  /** The API model's shape of a describe response ({@code DescribeVirtualNodeOutput}). */
  public String describeOutputShape() {
    return "Describe" + capitalized() + "Output";
  }

  private String capitalized() {
    return Character.toUpperCase(wrapper.charAt(0)) + wrapper.substring(1);
  }
}

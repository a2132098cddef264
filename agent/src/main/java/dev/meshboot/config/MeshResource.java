package dev.meshboot.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The App Mesh resource an Envoy runs as: a virtual node or a virtual gateway of a mesh.
 *
 * @param nodeId the value given, used as Envoy's node id unchanged
 * @param mesh the mesh name
 * @param meshOwner the account that shares the mesh, when it is shared ({@code mesh/m@owner/...})
 * @param kind virtual node or virtual gateway
 * @param name the resource name
 * @param arnRegion the region of a full ARN
 */
public record MeshResource(
    String nodeId,
    String mesh,
    Optional<String> meshOwner,
    Kind kind,
    String name,
    Optional<String> arnRegion) {

  private static final Pattern ARN =
      Pattern.compile("arn:aws[a-z-]*:appmesh:([a-z0-9-]+):(\\d{12}):(.+)");
  private static final Pattern RESOURCE =
      Pattern.compile("mesh/([^/@\\s]+)(?:@(\\d{12}))?/(virtualNode|virtualGateway)/([^/\\s]+)");

  static final String EXPECTED =
      "arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<name> (or virtualGateway),"
          + " or the short form mesh/<mesh>/virtualNode/<name>";

  /** The kinds of App Mesh resource that run an Envoy. */
  public enum Kind {
    VIRTUAL_NODE("virtualNode", "virtual_node", "VirtualNode"),
    VIRTUAL_GATEWAY("virtualGateway", "virtual_gateway", "VirtualGateway");

    private final String arnName;
    private final String snakeCase;
    private final String upperCamel;

    Kind(String arnName, String snakeCase, String upperCamel) {
      this.arnName = arnName;
      this.snakeCase = snakeCase;
      this.upperCamel = upperCamel;
    }

    /** As written in ARNs: {@code virtualNode}. */
    public String arnName() {
      return arnName;
    }

    /** As written in stats tags: {@code virtual_node}. */
    public String snakeCase() {
      return snakeCase;
    }

    /** As written in metric-extension tags: {@code VirtualNode}. */
    public String upperCamel() {
      return upperCamel;
    }

    static Kind fromArnName(String arnName) {
      return arnName.equals("virtualNode") ? VIRTUAL_NODE : VIRTUAL_GATEWAY;
    }
  }

  /**
   * The mesh as the node id names it: {@code shop@444455556666} for a mesh shared from another
   * account. AWS's agent took the second {@code /}-separated part of the id as the mesh name, owner
   * included, for the {@code appmesh.mesh} and {@code Mesh} stats tags, X-Ray's {@code mesh_name},
   * the segment name and the Datadog service name; dashboards and traces keyed on it stay the same.
   */
  public String meshName() {
    return meshOwner.map(owner -> mesh + "@" + owner).orElse(mesh);
  }

  /** Parses a full ARN or the short form; the setting names the variable for errors. */
  public static MeshResource parse(Setting setting) {
    String value = setting.value().trim();
    String resource = value;
    Optional<String> region = Optional.empty();
    Matcher arn = ARN.matcher(value);
    if (arn.matches()) {
      region = Optional.of(arn.group(1));
      resource = arn.group(3);
    } else if (value.startsWith("arn:")) {
      throw ConfigException.invalid(setting, EXPECTED);
    }
    Matcher parts = RESOURCE.matcher(resource);
    if (!parts.matches()) {
      throw ConfigException.invalid(setting, EXPECTED);
    }
    return new MeshResource(
        value,
        parts.group(1),
        Optional.ofNullable(parts.group(2)),
        Kind.fromArnName(parts.group(3)),
        parts.group(4),
        region);
  }
}

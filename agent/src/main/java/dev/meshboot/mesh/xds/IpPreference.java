package dev.meshboot.mesh.xds;

import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.DnsLookupFamily;
import java.util.Optional;

/**
 * App Mesh's IP version preference ({@code serviceDiscovery.ipPreference} of the mesh, overridden
 * by a virtual node's DNS discovery), as the user guide's "IP version preference" table states it:
 * how Envoy resolves DNS names, the local application's address and the listeners' bind address.
 */
enum IpPreference {
  /** None given: DNS prefers IPv6 and falls back to IPv4; IPv4 locally; listeners on IPv4. */
  DEFAULT(DnsLookupFamily.AUTO, "127.0.0.1", "0.0.0.0"),
  IPV6_PREFERRED(DnsLookupFamily.AUTO, "::1", "::"),
  IPV4_PREFERRED(DnsLookupFamily.V4_PREFERRED, "127.0.0.1", "::"),
  IPV6_ONLY(DnsLookupFamily.V6_ONLY, "::1", "::"),
  IPV4_ONLY(DnsLookupFamily.V4_ONLY, "127.0.0.1", "::");

  private final DnsLookupFamily lookup;
  private final String local;
  private final String bind;

  IpPreference(DnsLookupFamily lookup, String local, String bind) {
    this.lookup = lookup;
    this.local = local;
    this.bind = bind;
  }

  /** The mesh's preference. */
  static IpPreference of(Resource mesh) {
    return parse(
        Spec.object(mesh.spec(), "serviceDiscovery").flatMap(d -> Spec.string(d, "ipPreference")));
  }

  /** {@code node}'s DNS discovery preference, else {@code meshDefault}. */
  static IpPreference of(Resource node, IpPreference meshDefault) {
    Optional<String> own =
        Spec.object(node.spec(), "serviceDiscovery")
            .flatMap(d -> Spec.object(d, "dns"))
            .flatMap(d -> Spec.string(d, "ipPreference"));
    return own.isPresent() ? parse(own) : meshDefault;
  }

  private static IpPreference parse(Optional<String> value) {
    return switch (value.orElse("")) {
      case "IPv6_PREFERRED" -> IPV6_PREFERRED;
      case "IPv4_PREFERRED" -> IPV4_PREFERRED;
      case "IPv6_ONLY" -> IPV6_ONLY;
      case "IPv4_ONLY" -> IPV4_ONLY;
      default -> DEFAULT;
    };
  }

  /** How Envoy resolves the DNS names of other nodes. */
  DnsLookupFamily lookup() {
    return lookup;
  }

  /** The local application's address. */
  String local() {
    return local;
  }

  /** The listeners' bind address ({@code ::} also takes IPv4). */
  String bind() {
    return bind;
  }
}

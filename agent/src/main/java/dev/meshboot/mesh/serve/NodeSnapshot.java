package dev.meshboot.mesh.serve;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import dev.meshboot.mesh.NodeResources;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One node's resources as java-control-plane serves them, versioned by content: each resource by
 * the SHA-256 of its deterministic encoding, each type (and each set of names Envoy asks for) by
 * the hash of its resources' names and versions, the node by the hash of its types. A change to one
 * node therefore changes no other node's versions, and a change to a node's clusters no version of
 * its listeners: the cache pushes only what changed. The same resources give the same versions in
 * any process, so an Envoy that reconnects to a restarted server or to another replica reports a
 * version the server already has and is sent nothing again.
 */
final class NodeSnapshot extends Snapshot {

  private final SnapshotResources<Cluster> clusters;
  private final SnapshotResources<ClusterLoadAssignment> endpoints;
  private final SnapshotResources<Listener> listeners;
  private final SnapshotResources<RouteConfiguration> routes;
  private final SnapshotResources<Secret> secrets;
  private final String version;

  private NodeSnapshot(NodeResources resources) {
    clusters = versioned(resources.clusters());
    endpoints = versioned(resources.endpoints());
    listeners = versioned(resources.listeners());
    routes = versioned(resources.routes());
    secrets = versioned(resources.secrets());
    version =
        hash(
            String.join(
                "\n",
                clusters.version(),
                endpoints.version(),
                listeners.version(),
                routes.version(),
                secrets.version()));
  }

  /** The snapshot of {@code resources}, with its versions. */
  static NodeSnapshot of(NodeResources resources) {
    return new NodeSnapshot(resources);
  }

  /** The node's version: equal for equal resources, whatever their order in each list. */
  String version() {
    return version;
  }

  @Override
  public SnapshotResources<Cluster> clusters() {
    return clusters;
  }

  @Override
  public SnapshotResources<ClusterLoadAssignment> endpoints() {
    return endpoints;
  }

  @Override
  public SnapshotResources<Listener> listeners() {
    return listeners;
  }

  @Override
  public SnapshotResources<RouteConfiguration> routes() {
    return routes;
  }

  @Override
  public SnapshotResources<Secret> secrets() {
    return secrets;
  }

  private static <T extends Message> SnapshotResources<T> versioned(List<T> resources) {
    List<VersionedResource<T>> versioned = new ArrayList<>(resources.size());
    Map<String, VersionedResource<T>> byName = new HashMap<>();
    for (T resource : resources) {
      VersionedResource<T> one = VersionedResource.create(resource, hash(deterministic(resource)));
      if (byName.put(Resources.getResourceName(resource), one) != null) {
        throw new IllegalArgumentException(
            "two resources of one type are named " + Resources.getResourceName(resource));
      }
      versioned.add(one);
    }
    String all = typeVersion(byName, byName.keySet());
    return SnapshotResources.create(
        versioned, names -> names.isEmpty() ? all : typeVersion(byName, names));
  }

  /** The version of the named resources (those that exist), independent of the names' order. */
  private static String typeVersion(
      Map<String, ? extends VersionedResource<?>> byName, Collection<String> names) {
    StringBuilder text = new StringBuilder();
    for (String name : new TreeSet<>(names)) {
      VersionedResource<?> resource = byName.get(name);
      if (resource != null) {
        text.append(name).append('\0').append(resource.version()).append('\n');
      }
    }
    return hash(text.toString());
  }

  /** The message's bytes with map entries in key order (protobuf's deterministic mode). */
  private static byte[] deterministic(Message message) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.getSerializedSize());
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      message.writeTo(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot encode " + message.getDescriptorForType().getFullName(), e);
    }
    return bytes.toByteArray();
  }

  private static String hash(String text) {
    return hash(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The first 16 hex digits (64 bits) of the SHA-256: short in logs, collisions out of reach. */
  private static String hash(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

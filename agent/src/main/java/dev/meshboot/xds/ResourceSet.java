package dev.meshboot.xds;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The resources of one type URL as Envoy accepted them: the version and each resource by name, kept
 * as the bytes of its {@code Any} (never decoded beyond its name). Built from state-of-the-world
 * {@code DiscoveryResponse}s, and turned back into one to serve from the cache.
 *
 * @param typeUrl the resources' type
 * @param version the version_info of the last accepted response
 * @param resources each resource's name and its {@code Any}, in the order received
 */
record ResourceSet(String typeUrl, String version, Map<String, byte[]> resources) {

  /**
   * The types whose every response is the whole set (xDS protocol: Listener, Cluster and scoped
   * routes are state of the world; routes, endpoints, secrets and others come only as changes for
   * the names asked for, so an omission removes nothing).
   */
  static final Set<String> WHOLE_SET_TYPES =
      Set.of(
          "type.googleapis.com/envoy.config.listener.v3.Listener",
          "type.googleapis.com/envoy.config.cluster.v3.Cluster",
          "type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration");

  private static final String RESOURCE_WRAPPER =
      "type.googleapis.com/envoy.service.discovery.v3.Resource";

  /** Reads a {@code DiscoveryResponse}: version_info 1, resources 2, type_url 4. */
  static ResourceSet of(byte[] response) throws IOException {
    String version = "";
    String type = "";
    Map<String, byte[]> resources = new LinkedHashMap<>();
    CodedInputStream in = CodedInputStream.newInstance(response);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> version = in.readStringRequireUtf8();
        case 2 -> {
          byte[] any = in.readByteArray();
          String name = name(any);
          // A resource without a readable name still counts; it cannot be merged by name.
          resources.put(name != null ? name : "\0" + resources.size(), any);
        }
        case 4 -> type = in.readStringRequireUtf8();
        default -> in.skipField(tag);
      }
    }
    return new ResourceSet(type, version, resources);
  }

  /**
   * The set after Envoy accepted {@code response}, given what it had and the names its
   * acknowledgement subscribes to (empty: all of the type).
   */
  static ResourceSet accepted(
      @Nullable ResourceSet previous, ResourceSet response, List<String> subscribed) {
    if (previous == null
        || WHOLE_SET_TYPES.contains(response.typeUrl())
        || subscribed.isEmpty()
        || response.resources().keySet().stream().anyMatch(name -> name.startsWith("\0"))) {
      return response;
    }
    Map<String, byte[]> merged = new LinkedHashMap<>(previous.resources());
    merged.putAll(response.resources());
    merged.keySet().retainAll(Set.copyOf(subscribed));
    return new ResourceSet(response.typeUrl(), response.version(), merged);
  }

  /**
   * A {@code DiscoveryResponse} with this set's resources, only those named in {@code names} when
   * it is not empty.
   */
  byte[] response(String nonce, Collection<String> names) {
    Set<String> wanted = Set.copyOf(names);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeString(1, version);
      for (Map.Entry<String, byte[]> resource : resources.entrySet()) {
        if (wanted.isEmpty() || wanted.contains(resource.getKey())) {
          out.writeByteArray(2, resource.getValue());
        }
      }
      out.writeString(4, typeUrl);
      if (!nonce.isEmpty()) {
        out.writeString(5, nonce);
      }
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return bytes.toByteArray();
  }

  /** The whole set as a response without a nonce: what the cache file holds. */
  byte[] toBytes() {
    return response("", List.of());
  }

  /**
   * A resource's name: {@code Any} has type_url 1 and value 2; wrapped in a discovery {@code
   * Resource} the name is its field 3, else it is field 1 of every xDS resource type (Listener,
   * Cluster, RouteConfiguration, ClusterLoadAssignment's cluster_name, Secret, VirtualHost, ...).
   */
  private static @Nullable String name(byte[] any) throws IOException {
    String type = "";
    byte[] value = new byte[0];
    CodedInputStream in = CodedInputStream.newInstance(any);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> type = in.readStringRequireUtf8();
        case 2 -> value = in.readByteArray();
        default -> in.skipField(tag);
      }
    }
    return stringField(value, type.equals(RESOURCE_WRAPPER) ? 3 : 1);
  }

  private static @Nullable String stringField(byte[] message, int field) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(message);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (WireFormat.getTagFieldNumber(tag) == field
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          return in.readStringRequireUtf8();
        }
        in.skipField(tag);
      }
    } catch (IOException e) {
      return null; // not a message whose field 1 is a name
    }
    return null;
  }
}

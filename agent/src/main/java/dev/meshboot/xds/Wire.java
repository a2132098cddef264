package dev.meshboot.xds;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.meshboot.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The few top-level fields of ADS messages the relay reports on, read from the wire without parsing
 * the resources (a 1 MB response passes through untouched). Field numbers are those of {@code
 * envoy.service.discovery.v3}; {@code WireTest} checks them against the generated classes.
 */
final class Wire {

  private static final Log log = Log.of(Wire.class);

  private Wire() {}

  /** What the relay tracks of a response: its type, version and nonce. */
  record Response(String typeUrl, String version, String nonce) {}

  /**
   * What the relay tracks of a request: its type, the version it acknowledges, the nonce it
   * answers, and Envoy's error when it rejects (a NACK).
   */
  record Request(
      String typeUrl,
      String version,
      String nonce,
      Optional<String> error,
      Optional<String> nodeId,
      List<String> resourceNames) {

    Request(String typeUrl, String version, String nonce, Optional<String> error) {
      this(typeUrl, version, nonce, error, Optional.empty(), List.of());
    }

    boolean isNack() {
      return error.isPresent();
    }

    /** Whether it answers a response (ACK or NACK) rather than subscribing afresh. */
    boolean answers() {
      return !nonce.isEmpty();
    }
  }

  /** {@code DiscoveryResponse}: version_info 1, type_url 4, nonce 5. */
  static Response sotwResponse(byte[] message) throws IOException {
    String[] fields = strings(message, 1, 4, 5);
    return new Response(fields[1], fields[0], fields[2]);
  }

  /** {@code DeltaDiscoveryResponse}: system_version_info 1, type_url 4, nonce 5. */
  static Response deltaResponse(byte[] message) throws IOException {
    String[] fields = strings(message, 1, 4, 5);
    return new Response(fields[1], fields[0], fields[2]);
  }

  /**
   * {@code DiscoveryRequest}: version_info 1, node 2, resource_names 3, type_url 4, response_nonce
   * 5, error_detail 6.
   */
  static Request sotwRequest(byte[] message) throws IOException {
    return request(message, new Fields(1, 2, 3, 4, 5, 6));
  }

  /**
   * {@code DeltaDiscoveryRequest}: node 1, type_url 2, response_nonce 6, error_detail 7 (no
   * version; its subscriptions are changes, not a list).
   */
  static Request deltaRequest(byte[] message) throws IOException {
    return request(message, new Fields(0, 1, 0, 2, 6, 7));
  }

  /** Field numbers of a request message; 0 for a field the message does not have. */
  private record Fields(int version, int node, int names, int type, int nonce, int error) {}

  private static Request request(byte[] message, Fields fields) throws IOException {
    String version = "";
    String type = "";
    String nonce = "";
    String detail = null;
    String node = null;
    List<String> names = new ArrayList<>();
    CodedInputStream in = CodedInputStream.newInstance(message);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == fields.version() && field != 0) {
        version = in.readStringRequireUtf8();
      } else if (field == fields.node() && field != 0) {
        node = nodeId(in.readByteArray());
      } else if (field == fields.names() && field != 0) {
        names.add(in.readStringRequireUtf8());
      } else if (field == fields.type()) {
        type = in.readStringRequireUtf8();
      } else if (field == fields.nonce()) {
        nonce = in.readStringRequireUtf8();
      } else if (field == fields.error()) {
        detail = statusMessage(in.readByteArray());
      } else {
        in.skipField(tag);
      }
    }
    return new Request(
        type,
        version,
        nonce,
        Optional.ofNullable(detail),
        Optional.ofNullable(node).filter(id -> !id.isEmpty()),
        List.copyOf(names));
  }

  /** {@code config.core.v3.Node}: id 1. */
  private static @Nullable String nodeId(byte[] node) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(node);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == 1) {
        return in.readStringRequireUtf8();
      }
      in.skipField(tag);
    }
    return null;
  }

  /**
   * A state-of-the-world request without its version_info (field 1): the management server then
   * sends its whole current state instead of assuming Envoy has its own version.
   */
  static byte[] withoutVersion(byte[] request) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(request);
    ByteArrayOutputStream out = new ByteArrayOutputStream(request.length);
    int start = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      in.skipField(tag);
      int end = in.getTotalBytesRead();
      if (WireFormat.getTagFieldNumber(tag) != 1) {
        out.write(request, start, end - start);
      }
      start = end;
    }
    return out.toByteArray();
  }

  /** {@code google.rpc.Status}: code 1, message 2. */
  private static String statusMessage(byte[] status) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(status);
    String message = "";
    int code = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> code = in.readInt32();
        case 2 -> message = in.readStringRequireUtf8();
        default -> in.skipField(tag);
      }
    }
    return message.isEmpty() ? "code " + code : message;
  }

  private static String[] strings(byte[] message, int... fields) throws IOException {
    String[] values = {"", "", ""};
    CodedInputStream in = CodedInputStream.newInstance(message);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      int index = indexOf(fields, field);
      if (index >= 0 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        values[index] = in.readStringRequireUtf8();
      } else {
        in.skipField(tag);
      }
    }
    return values;
  }

  private static int indexOf(int[] fields, int field) {
    for (int i = 0; i < fields.length; i++) {
      if (fields[i] == field) {
        return i;
      }
    }
    return -1;
  }

  interface Reading<T> {
    T read() throws IOException;
  }

  /**
   * Status bookkeeping never fails a stream: a message it cannot read is passed on all the same.
   */
  static <T> @Nullable T tolerantly(Reading<T> reading) {
    try {
      return reading.read();
    } catch (IOException | RuntimeException e) {
      log.debug("cannot read an xDS message's envelope", "error", e.toString());
      return null;
    }
  }
}

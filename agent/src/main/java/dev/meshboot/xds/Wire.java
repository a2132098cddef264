package dev.meshboot.xds;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Optional;

/**
 * The few top-level fields of ADS messages the relay reports on, read from the wire without parsing
 * the resources (a 1 MB response passes through untouched). Field numbers are those of {@code
 * envoy.service.discovery.v3}; {@code WireTest} checks them against the generated classes.
 */
final class Wire {

  private Wire() {}

  /** What the relay tracks of a response: its type, version and nonce. */
  record Response(String typeUrl, String version, String nonce) {}

  /**
   * What the relay tracks of a request: its type, the version it acknowledges, the nonce it
   * answers, and Envoy's error when it rejects (a NACK).
   */
  record Request(String typeUrl, String version, String nonce, Optional<String> error) {

    boolean isNack() {
      return error.isPresent();
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

  /** {@code DiscoveryRequest}: version_info 1, type_url 4, response_nonce 5, error_detail 6. */
  static Request sotwRequest(byte[] message) throws IOException {
    return request(message, 1, 4, 5, 6);
  }

  /** {@code DeltaDiscoveryRequest}: type_url 2, response_nonce 6, error_detail 7 (no version). */
  static Request deltaRequest(byte[] message) throws IOException {
    return request(message, 0, 2, 6, 7);
  }

  private static Request request(byte[] message, int version, int type, int nonce, int error)
      throws IOException {
    String[] values = new String[3];
    String detail = null;
    CodedInputStream in = CodedInputStream.newInstance(message);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == version && version != 0) {
        values[0] = in.readStringRequireUtf8();
      } else if (field == type) {
        values[1] = in.readStringRequireUtf8();
      } else if (field == nonce) {
        values[2] = in.readStringRequireUtf8();
      } else if (field == error) {
        detail = statusMessage(in.readByteArray());
      } else {
        in.skipField(tag);
      }
    }
    return new Request(
        orEmpty(values[1]), orEmpty(values[0]), orEmpty(values[2]), Optional.ofNullable(detail));
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

  private static String orEmpty(@org.jspecify.annotations.Nullable String value) {
    return value == null ? "" : value;
  }
}

package dev.meshboot.xds;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The two ADS methods as the relay handles them: messages are byte arrays, never parsed as
 * protobuf. A message is copied once on the way in (from the transport's buffers into its array,
 * its length known in advance) and once on the way out (drained straight into the transport's
 * buffers): a 1 MB response costs two copies, no intermediate buffers.
 */
final class Ads {

  private Ads() {}

  static final String SERVICE = "envoy.service.discovery.v3.AggregatedDiscoveryService";

  /**
   * HTTP/2 flow-control window of both hops: a large response (a mesh's clusters can reach
   * megabytes) then crosses each hop without waiting for window updates.
   */
  static final int FLOW_CONTROL_WINDOW = 16 << 20;

  static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new DrainableBytes(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            if (stream instanceof KnownLength) {
              byte[] message = new byte[stream.available()];
              int read = stream.readNBytes(message, 0, message.length);
              if (read == message.length && stream.read() == -1) {
                return message;
              }
              throw new IOException("the message's length was not as announced");
            }
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static final MethodDescriptor<byte[], byte[]> SOTW = method("StreamAggregatedResources");
  static final MethodDescriptor<byte[], byte[]> DELTA = method("DeltaAggregatedResources");

  private static MethodDescriptor<byte[], byte[]> method(String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }

  /** A message gRPC writes into its buffers in one copy, knowing its length first. */
  private static final class DrainableBytes extends ByteArrayInputStream
      implements Drainable, KnownLength {

    DrainableBytes(byte[] message) {
      super(message);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int length = count - pos;
      target.write(buf, pos, length);
      pos = count;
      return length;
    }
  }
}

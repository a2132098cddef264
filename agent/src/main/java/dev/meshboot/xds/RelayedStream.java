package dev.meshboot.xds;

import dev.meshboot.log.Log;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.io.IOException;

/**
 * One of Envoy's ADS streams and its upstream twin: messages pass both ways unchanged; a few
 * envelope fields go to the {@link RelayStatus}; the upstream's end is Envoy's end, status and all.
 */
final class RelayedStream {

  private static final Log log = Log.of(RelayedStream.class);

  private final boolean delta;
  private final ServerCall<byte[], byte[]> downstream;
  private final ClientCall<byte[], byte[]> upstream;
  private final RelayStatus status;
  private boolean headersSent; // upstream listener thread only

  RelayedStream(
      boolean delta,
      ServerCall<byte[], byte[]> downstream,
      ClientCall<byte[], byte[]> upstream,
      RelayStatus status) {
    this.delta = delta;
    this.downstream = downstream;
    this.upstream = upstream;
    this.status = status;
  }

  ServerCall.Listener<byte[]> start() {
    status.upstreamOpened();
    upstream.start(
        new ClientCall.Listener<>() {
          @Override
          public void onHeaders(Metadata headers) {
            sendHeaders();
          }

          @Override
          public void onMessage(byte[] message) {
            sendHeaders();
            downstream.sendMessage(message);
            upstream.request(1);
            track(
                () ->
                    status.response(
                        delta ? Wire.deltaResponse(message) : Wire.sotwResponse(message)));
          }

          @Override
          public void onClose(Status closed, Metadata trailers) {
            status.upstreamClosed(closed);
            downstream.close(closed, trailers);
          }
        },
        new Metadata());
    upstream.request(1);
    downstream.request(1);
    return new ServerCall.Listener<>() {
      @Override
      public void onMessage(byte[] message) {
        upstream.sendMessage(message);
        downstream.request(1);
        track(() -> status.request(delta ? Wire.deltaRequest(message) : Wire.sotwRequest(message)));
      }

      @Override
      public void onHalfClose() {
        upstream.halfClose();
      }

      @Override
      public void onCancel() {
        upstream.cancel("Envoy closed the stream", null);
      }
    };
  }

  private void sendHeaders() {
    if (!headersSent) {
      headersSent = true;
      downstream.sendHeaders(new Metadata());
    }
  }

  private interface Tracking {
    void run() throws IOException;
  }

  /**
   * Status bookkeeping never fails a stream: a message it cannot read is passed on all the same.
   */
  private static void track(Tracking tracking) {
    try {
      tracking.run();
    } catch (IOException | RuntimeException e) {
      log.debug("cannot read an xDS message's envelope", "error", e.toString());
    }
  }
}

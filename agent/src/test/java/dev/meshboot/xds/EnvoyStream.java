package dev.meshboot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A state-of-the-world ADS stream as Envoy opens it, for the relay's tests: what it sends, what it
 * receives, and how it ends.
 */
public record EnvoyStream(
    ClientCall<byte[], byte[]> call,
    BlockingQueue<DiscoveryResponse> responses,
    CompletableFuture<Status> closed) {

  /** Envoy's first request: the node, subscribing to every cluster. */
  void subscribe(String version) {
    send(
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId(LastGoodCacheTest.NODE))
            .setVersionInfo(version)
            .setTypeUrl(WireTest.CLUSTER)
            .build());
  }

  void ack(DiscoveryResponse response) {
    send(
        DiscoveryRequest.newBuilder()
            .setVersionInfo(response.getVersionInfo())
            .setTypeUrl(WireTest.CLUSTER)
            .setResponseNonce(response.getNonce())
            .build());
  }

  void nack(DiscoveryResponse response) {
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(WireTest.CLUSTER)
            .setResponseNonce(response.getNonce())
            .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage("bad"))
            .build());
  }

  void send(DiscoveryRequest request) {
    call.sendMessage(request.toByteArray());
  }

  DiscoveryResponse next() throws InterruptedException {
    DiscoveryResponse response = responses.poll(10, TimeUnit.SECONDS);
    assertThat(response).as("a response within 10 s").isNotNull();
    return response;
  }

  /** Opens the state-of-the-world ADS stream on {@code channel}. */
  static EnvoyStream open(Channel channel) {
    BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = channel.newCall(Ads.SOTW, CallOptions.DEFAULT);
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onMessage(byte[] message) {
            try {
              responses.add(DiscoveryResponse.parseFrom(message));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            call.request(1);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    return new EnvoyStream(call, responses, closed);
  }
}

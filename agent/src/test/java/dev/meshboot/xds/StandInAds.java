package dev.meshboot.xds;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerServiceDefinition;

/**
 * A management server's ADS service for the relay's tests and benchmarks: state of the world, each
 * request handed to {@code answer} with its stream (which it may answer or close), headers sent at
 * once, one request read at a time.
 */
final class StandInAds {

  /** What the stand-in does with one request. */
  interface Answer {
    void request(ServerCall<byte[], byte[]> stream, byte[] request) throws Exception;
  }

  private StandInAds() {}

  static ServerServiceDefinition service(Answer answer) {
    return ServerServiceDefinition.builder(Ads.SERVICE)
        .addMethod(
            Ads.SOTW,
            (ServerCall<byte[], byte[]> call, Metadata headers) -> {
              call.sendHeaders(new Metadata());
              call.request(1);
              return new ServerCall.Listener<>() {
                @Override
                public void onMessage(byte[] message) {
                  try {
                    answer.request(call, message);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  call.request(1);
                }
              };
            })
        .build();
  }
}

package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Retry policies: a route's {@code retryPolicy} as App Mesh translated it (its API reference and
 * config dumps), or App Mesh's default policy for routes without one (envoy-defaults.md: 2 retries
 * on 503, connection failure, refused stream and reset; gRPC also on UNAVAILABLE).
 */
final class Retries {

  private static final List<Integer> SERVER_ERRORS =
      List.of(500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511);
  private static final List<Integer> GATEWAY_ERRORS = List.of(502, 503, 504);

  private Retries() {}

  /**
   * {@code retryPolicy}: {@code server-error} and {@code gateway-error} are their status codes plus
   * Envoy's {@code reset} (as the API says), {@code client-error} is 409, {@code stream-error}
   * Envoy's {@code refused-stream}, {@code connection-error} its {@code connect-failure}; gRPC
   * events keep their names; at most {@code maxRetries}, each within {@code perRetryTimeout}.
   */
  static RetryPolicy of(Resource owner, JsonObject policy, String path) {
    TreeSet<Integer> codes = new TreeSet<>();
    boolean reset = false;
    boolean refusedStream = false;
    for (String event : Spec.strings(policy, "httpRetryEvents")) {
      switch (event) {
        case "server-error" -> {
          codes.addAll(SERVER_ERRORS);
          reset = true;
        }
        case "gateway-error" -> {
          codes.addAll(GATEWAY_ERRORS);
          reset = true;
        }
        case "client-error" -> codes.add(409);
        case "stream-error" -> refusedStream = true;
        default ->
            throw Spec.fail(owner, path + ".httpRetryEvents", "unknown retry event " + event);
      }
    }
    List<String> on = new ArrayList<>();
    if (Spec.strings(policy, "tcpRetryEvents").contains("connection-error")) {
      on.add("connect-failure");
    }
    if (reset) {
      on.add("reset");
    }
    if (refusedStream) {
      on.add("refused-stream");
    }
    if (!codes.isEmpty()) {
      on.add("retriable-status-codes");
    }
    on.addAll(Spec.strings(policy, "grpcRetryEvents"));
    RetryPolicy.Builder retry =
        withHostSelection(RetryPolicy.newBuilder())
            .setRetryOn(String.join(",", on))
            .setNumRetries(
                UInt32Value.of(
                    (int)
                        Math.min(
                            Spec.number(policy, "maxRetries")
                                .orElseThrow(
                                    () -> Spec.fail(owner, path + ".maxRetries", "required")),
                            0xFFFF_FFFFL)))
            .addAllRetriableStatusCodes(codes);
    Spec.duration(owner, policy, "perRetryTimeout", path).ifPresent(retry::setPerTryTimeout);
    return retry.build();
  }

  /** App Mesh's default policy, for routes without a retry policy. */
  static RetryPolicy defaults(boolean grpc) {
    return withHostSelection(RetryPolicy.newBuilder())
        .setRetryOn(
            "connect-failure,refused-stream,reset,retriable-status-codes"
                + (grpc ? ",unavailable" : ""))
        .setNumRetries(UInt32Value.of(2))
        .addRetriableStatusCodes(503)
        .build();
  }

  /** Retries go to another host when there is one (App Mesh's config dumps). */
  private static RetryPolicy.Builder withHostSelection(RetryPolicy.Builder retry) {
    return retry
        .addRetryHostPredicate(
            RetryPolicy.RetryHostPredicate.newBuilder()
                .setName("envoy.retry_host_predicates.previous_hosts")
                .setTypedConfig(Any.pack(PreviousHostsPredicate.getDefaultInstance())))
        .setHostSelectionRetryMaxAttempts(5);
  }
}

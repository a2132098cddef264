package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import com.google.protobuf.Duration;
import dev.meshboot.mesh.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One listener of a virtual node, router or gateway ({@code spec.listeners[i]}): its port and
 * protocol, and the rest of its spec for what hangs on it (timeouts, pools, health checks, TLS).
 *
 * @param owner the resource it belongs to
 * @param spec the listener's JSON
 * @param path its JSON path, for errors ({@code spec.listeners[0]})
 * @param port {@code portMapping.port}
 * @param protocol {@code portMapping.protocol}: http, http2, grpc or tcp
 */
record PortListener(Resource owner, JsonObject spec, String path, int port, String protocol) {

  /** App Mesh's default request timeout for HTTP, HTTP/2 and gRPC (the user guide's "15 s"). */
  static final Duration DEFAULT_REQUEST_TIMEOUT = Spec.seconds(15);

  /** App Mesh's default idle timeout of a TCP connection (the user guide's "300 s"). */
  static final Duration DEFAULT_TCP_IDLE = Spec.seconds(300);

  /** The listeners of {@code owner} in definition order. */
  static List<PortListener> of(Resource owner) {
    List<PortListener> listeners = new ArrayList<>();
    List<JsonObject> specs = Spec.objects(owner.spec(), "listeners");
    for (int i = 0; i < specs.size(); i++) {
      JsonObject spec = specs.get(i);
      String path = "spec.listeners[" + i + "]";
      JsonObject mapping =
          Spec.object(spec, "portMapping")
              .orElseThrow(
                  () -> Spec.fail(owner, path + ".portMapping", "a port mapping is required"));
      int port =
          Spec.number(mapping, "port")
              .orElseThrow(() -> Spec.fail(owner, path + ".portMapping.port", "a port is required"))
              .intValue();
      String protocol =
          Spec.string(mapping, "protocol")
              .orElseThrow(
                  () -> Spec.fail(owner, path + ".portMapping.protocol", "a protocol is required"));
      listeners.add(new PortListener(owner, spec, path, port, protocol));
    }
    return listeners;
  }

  /** HTTP, HTTP/2 or gRPC: routed by an HTTP connection manager. */
  boolean http() {
    return !protocol.equals("tcp");
  }

  /** HTTP/2 or gRPC: spoken as HTTP/2 to the upstream. */
  boolean http2() {
    return protocol.equals("http2") || protocol.equals("grpc");
  }

  /** The listener's timeouts ({@code timeout.<protocol>}), if any. */
  Optional<JsonObject> timeout() {
    return Spec.union(spec, "timeout").map(Spec.Member::value);
  }

  /** The request timeout: {@code timeout.<protocol>.perRequest}, else App Mesh's 15 s. */
  Duration perRequest() {
    return timeout()
        .flatMap(t -> Spec.duration(owner, t, "perRequest", path + ".timeout." + protocol))
        .orElse(DEFAULT_REQUEST_TIMEOUT);
  }

  /** The idle timeout {@code timeout.<protocol>.idle}; for TCP App Mesh's 300 s by default. */
  Optional<Duration> idle() {
    Optional<Duration> idle =
        timeout().flatMap(t -> Spec.duration(owner, t, "idle", path + ".timeout." + protocol));
    return idle.isPresent() || http() ? idle : Optional.of(DEFAULT_TCP_IDLE);
  }

  /** {@code tls}, unless absent or mode DISABLED. */
  Optional<JsonObject> tls() {
    return Spec.object(spec, "tls")
        .filter(tls -> !Spec.string(tls, "mode").orElse("DISABLED").equals("DISABLED"));
  }

  /** TLS mode PERMISSIVE: TLS and plain text both accepted. */
  boolean permissive() {
    return tls().flatMap(tls -> Spec.string(tls, "mode")).orElse("").equals("PERMISSIVE");
  }
}

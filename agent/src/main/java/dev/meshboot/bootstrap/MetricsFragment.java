package dev.meshboot.bootstrap;

import com.google.gson.JsonObject;
import dev.meshboot.config.AdminConfig;
import dev.meshboot.config.Environment;
import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import dev.meshboot.io.SocketEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The read-only metrics listener in front of Envoy's admin (issue #17), and what it needs. */
final class MetricsFragment {

  private MetricsFragment() {}

  /**
   * The listener's template and values, preceded by the admin's SO_REUSEPORT when the listener
   * takes the admin's port on the other addresses; none when there is no listener.
   */
  static List<Fragment> of(
      AdminConfig admin, Environment environment, Function<Variable, String> source) {
    if (admin.metrics().isEmpty()) {
      return List.of();
    }
    AdminConfig.Metrics metrics = admin.metrics().get();
    List<Fragment> fragments = new ArrayList<>();
    if (metrics.sharesAdminPort()) {
      fragments.add(
          new Fragment("admin-reuse-port", Placeholders.builder("admin-reuse-port").build()));
    }
    String listenerSource =
        environment.given(Variables.MESHBOOT_METRICS_LISTENER).isPresent()
            ? source.apply(Variables.MESHBOOT_METRICS_LISTENER)
            : "default of MESHBOOT_METRICS_LISTENER: the admin is private";
    String addressSource =
        environment.given(Variables.MESHBOOT_METRICS_ADDRESS).isPresent()
            ? source.apply(Variables.MESHBOOT_METRICS_ADDRESS)
            : listenerSource + ", every address";
    String portSource =
        environment.given(Variables.MESHBOOT_METRICS_PORT).isPresent()
            ? source.apply(Variables.MESHBOOT_METRICS_PORT)
            : "default of MESHBOOT_METRICS_PORT: "
                + source.apply(Variables.ENVOY_ADMIN_ACCESS_PORT);
    Placeholders.Builder values =
        Placeholders.builder("metrics")
            .put("metrics.address", Value.of(metrics.address(), addressSource))
            .put("metrics.port", Value.of(metrics.port(), portSource))
            .put(
                "metrics.admin_address",
                new Value(
                    upstream(admin.endpoint()),
                    "Envoy's admin (ENVOY_ADMIN_MODE and its address, loopback for an"
                        + " any-address)"));
    if (metrics.ipv4Compat()) {
      values.put("metrics.ipv4_compat", Value.of(true, addressSource + ", IPv6 any-address"));
    }
    fragments.add(new Fragment("metrics", values.build()));
    return fragments;
  }

  /** An Envoy {@code Address} of where the admin is reached (an any-address as loopback). */
  private static JsonObject upstream(SocketEndpoint endpoint) {
    JsonObject address = new JsonObject();
    if (endpoint instanceof SocketEndpoint.Unix unix) {
      JsonObject pipe = new JsonObject();
      pipe.addProperty("path", unix.path().toString());
      address.add("pipe", pipe);
    } else if (endpoint instanceof SocketEndpoint.Tcp tcp) {
      JsonObject socket = new JsonObject();
      socket.addProperty("address", tcp.ip());
      socket.addProperty("port_value", tcp.port());
      address.add("socket_address", socket);
    }
    return address;
  }
}

package dev.meshboot.mesh.xds;

/**
 * The names App Mesh gave the Envoy resources it configured. Dashboards, alarms and the bootstrap's
 * stats tags key on them ({@code cluster.cds_egress_prod_virtual-node-a_http_3000...}), so they are
 * App Mesh's, character for character: App Mesh's user guide ("Monitoring your application using
 * Envoy metrics", resource naming conventions) and public config dumps.
 */
final class Names {

  /** App Mesh's ingress port: iptables sends traffic for the application's ports here. */
  static final int INGRESS_PORT = 15000;

  /** App Mesh's egress port: iptables sends the application's outbound traffic here. */
  static final int EGRESS_PORT = 15001;

  static final String INGRESS_LISTENER = "lds_ingress_0.0.0.0_" + INGRESS_PORT;
  static final String EGRESS_LISTENER = "lds_egress_0.0.0.0_" + EGRESS_PORT;

  /**
   * A virtual gateway's egress listener: bound to loopback (its own gateway routes reach it through
   * the self-redirect cluster, nothing else needs to), named by App Mesh's scheme {@code
   * lds_<direction>_<address>_<port>}.
   */
  static final String GATEWAY_EGRESS_LISTENER = "lds_egress_127.0.0.1_" + EGRESS_PORT;

  private Names() {}

  /** A virtual gateway's listener on {@code port}. */
  static String gatewayListener(int port) {
    return "lds_ingress_0.0.0.0_" + port;
  }

  /** The cluster of the local application's port: {@code cds_ingress_<mesh>_<node>_http_8080}. */
  static String ingressCluster(String mesh, String node, String protocol, int port) {
    return "cds_ingress_" + mesh + "_" + node + "_" + protocol + "_" + port;
  }

  /** The cluster of another virtual node's listener: {@code cds_egress_<mesh>_<node>_http_8080}. */
  static String egressCluster(String mesh, String node, String protocol, int port) {
    return "cds_egress_" + mesh + "_" + node + "_" + protocol + "_" + port;
  }

  /** The route configuration of an HTTP-family ingress listener: {@code rds_ingress_http_8080}. */
  static String ingressRoutes(String protocol, int port) {
    return "rds_ingress_" + protocol + "_" + port;
  }

  /** The route configuration of HTTP-family backends on a port: {@code rds_egress_http_8080}. */
  static String egressRoutes(int port) {
    return "rds_egress_http_" + port;
  }

  /** The cluster TLS traffic to AWS APIs ({@code *.amazonaws.com:443}) leaves through. */
  static String amazonaws(String mesh) {
    return "cds_egress_" + mesh + "_amazonaws";
  }

  /** The cluster traffic to destinations outside the mesh leaves through under ALLOW_ALL. */
  static String allowAll(String mesh) {
    return "cds_egress_" + mesh + "_mesh-allow-all";
  }

  /**
   * A virtual gateway's cluster back to its own egress listener: {@code
   * cds_ingress_<mesh>_<gateway>_self_redirect_<protocol>_15001}, with the listener's port after
   * {@code self_redirect} when the gateway has several listeners.
   */
  static String selfRedirect(
      String mesh, String gateway, String protocol, int listenerPort, boolean severalListeners) {
    return "cds_ingress_"
        + mesh
        + "_"
        + gateway
        + "_self_redirect_"
        + (severalListeners ? listenerPort + "_" : "")
        + protocol
        + "_"
        + EGRESS_PORT;
  }

  /**
   * The stat prefix of an ingress listener's filters: {@code ingress}, or {@code
   * ingress.<protocol>.<port>} when there are several listeners (what the bootstrap's {@code
   * appmesh.listener_protocol} and {@code appmesh.listener_port} tags read).
   */
  static String ingressStatPrefix(String protocol, int port, boolean severalListeners) {
    return severalListeners ? "ingress." + protocol + "." + port : "ingress";
  }
}

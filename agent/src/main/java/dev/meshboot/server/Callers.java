package dev.meshboot.server;

import dev.meshboot.http.HttpServer;
import dev.meshboot.io.Addresses;
import dev.meshboot.io.SocketEndpoint;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may call the management API over TCP. A web page in a browser on the same host can send
 * requests to it (a "simple" cross-origin POST needs no preflight) and, through DNS rebinding, read
 * its answers under a name of the attacker's: so a request whose Host is a name other than
 * localhost is refused, and a state-changing request with a foreign Origin too. Programs (curl,
 * Prometheus, {@code meshboot healthcheck}) send an IP literal or localhost and no Origin. A unix
 * socket is out of a browser's reach and 0600.
 */
final class Callers {

  private Callers() {}

  /** Why {@code request} is refused, or empty when it may proceed. */
  static Optional<String> refuse(HttpServer.Request request, SocketEndpoint endpoint) {
    if (!(endpoint instanceof SocketEndpoint.Tcp)) {
      return Optional.empty();
    }
    String host = request.host();
    if (host != null && !isLocalOrIpLiteral(hostPart(host))) {
      return Optional.of(
          "refused: Host \"" + host + "\" is not an IP address or localhost (DNS rebinding?)");
    }
    String origin = request.origin();
    if (origin != null && !request.method().equals("GET") && !sameHost(origin)) {
      return Optional.of("refused: a state-changing request from the web origin " + origin);
    }
    return Optional.empty();
  }

  /** {@code host[:port]} or {@code [v6][:port]} without the port. */
  static String hostPart(String host) {
    String value = host.trim().toLowerCase(Locale.ROOT);
    if (value.startsWith("[")) {
      int end = value.indexOf(']');
      return end < 0 ? value : value.substring(1, end);
    }
    int colon = value.indexOf(':');
    return colon < 0 || value.indexOf(':', colon + 1) >= 0 ? value : value.substring(0, colon);
  }

  private static boolean isLocalOrIpLiteral(String host) {
    return host.equals("localhost") || Addresses.isIpLiteral(host);
  }

  /** An origin of this host ({@code http://127.0.0.1:9902}, {@code http://localhost:9902}). */
  private static boolean sameHost(String origin) {
    String value = origin.trim().toLowerCase(Locale.ROOT);
    int scheme = value.indexOf("://");
    if (scheme < 0) {
      return false; // "null" (a sandboxed page, a file) or malformed
    }
    String host = hostPart(value.substring(scheme + 3));
    return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1");
  }
}

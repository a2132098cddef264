package dev.meshboot.envoy;

import dev.meshboot.http.HttpClient;
import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.io.Transport;
import java.io.IOException;
import java.time.Duration;

/**
 * Envoy's admin interface over TCP or its unix socket ({@code ENVOY_ADMIN_MODE}): short timeouts,
 * no retries (callers poll).
 */
public final class AdminClient {

  static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final java.util.function.Supplier<Transport> transport;
  private final java.util.function.Supplier<SocketEndpoint> endpoint;
  private volatile @org.jspecify.annotations.Nullable HttpClient client;

  public AdminClient(Transport transport, SocketEndpoint endpoint) {
    this(() -> transport, () -> endpoint);
  }

  /**
   * A client whose event loop is opened elsewhere, maybe still being opened (the first request
   * waits for it: {@code meshboot run} starts Envoy before Netty is loaded), and whose endpoint is
   * asked at each request: what the admin variables say until the written bootstrap says where its
   * admin is.
   */
  public AdminClient(
      java.util.function.Supplier<Transport> transport,
      java.util.function.Supplier<SocketEndpoint> endpoint) {
    this.transport = transport;
    this.endpoint = endpoint;
  }

  private HttpClient http() {
    SocketEndpoint current = endpoint.get();
    HttpClient http = client;
    if (http == null || !http.endpoint().equals(current)) {
      synchronized (this) {
        http = client;
        if (http == null || !http.endpoint().equals(current)) {
          http = new HttpClient(transport.get(), current);
          client = http;
        }
      }
    }
    return http;
  }

  /** {@code GET /ready}: the server state (LIVE, PRE_INITIALIZING, INITIALIZING, DRAINING). */
  public String ready() throws IOException {
    return send("GET", "/ready").strip();
  }

  /**
   * Envoy's build version from {@code GET /server_info} ({@code <sha>/1.40.0/Clean/RELEASE/...}).
   */
  public String version() throws IOException {
    String body = send("GET", "/server_info");
    try {
      return com.google.gson.JsonParser.parseString(body)
          .getAsJsonObject()
          .get("version")
          .getAsString();
    } catch (RuntimeException e) {
      throw new IOException(
          "GET /server_info on " + endpoint.get() + ": no version in the answer", e);
    }
  }

  /** {@code POST /quitquitquit}. */
  public void quit() throws IOException {
    send("POST", "/quitquitquit");
  }

  /** Counters and gauges whose names match {@code regex}, from {@code GET /stats?filter=}. */
  public java.util.Map<String, Long> stats(String regex) throws IOException {
    java.util.Map<String, Long> values = new java.util.TreeMap<>();
    String query = java.net.URLEncoder.encode(regex, java.nio.charset.StandardCharsets.UTF_8);
    for (String line : send("GET", "/stats?filter=" + query).lines().toList()) {
      int colon = line.lastIndexOf(": ");
      if (colon > 0) {
        try {
          values.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 2).trim()));
        } catch (NumberFormatException e) {
          // histograms and text stats are not counters
        }
      }
    }
    return values;
  }

  /**
   * {@code GET /stats/prometheus[?usedonly]}: Envoy's stats page as is, to be read as it arrives (a
   * large mesh's page is tens of megabytes) and whole within {@code total}; the caller closes it.
   */
  public HttpClient.Streamed prometheus(boolean usedOnly, Duration total) throws IOException {
    String path = "/stats/prometheus" + (usedOnly ? "?usedonly" : "");
    // A large mesh's page takes Envoy seconds to render.
    HttpClient.Streamed page = http().open("GET", path, Duration.ofSeconds(30), total);
    if (page.status() / 100 != 2) {
      page.close();
      throw new IOException("GET " + path + " on " + endpoint.get() + ": HTTP " + page.status());
    }
    return page;
  }

  /** {@code POST /logging?level=}: every logger to {@code level}. */
  public void logLevel(String level) throws IOException {
    send("POST", "/logging?level=" + level);
  }

  /**
   * {@code POST /drain_listeners[?inboundonly]&graceful&skip_exit}: with {@code skip_exit}
   * meshboot, not Envoy's drain timer, owns the exit.
   */
  public void drain(boolean inboundOnly) throws IOException {
    send("POST", "/drain_listeners?" + (inboundOnly ? "inboundonly&" : "") + "graceful&skip_exit");
  }

  /**
   * The active downstream connections of all listeners but the admin and the metrics listener
   * ({@code /stats}).
   */
  public long activeDownstreamConnections() throws IOException {
    long total = 0;
    for (String line : send("GET", "/stats?filter=downstream_cx_active$").lines().toList()) {
      int colon = line.lastIndexOf(':');
      String name = colon < 0 ? "" : line.substring(0, colon);
      // the admin's and the metrics listener's own (a scraper's keep-alive connection is no
      // traffic the drain waits for: that listener keeps serving while Envoy drains)
      if (name.startsWith("listener.")
          && !name.startsWith("listener.admin.")
          && !name.startsWith("listener.meshboot_metrics.")) {
        total += Long.parseLong(line.substring(colon + 1).trim());
      }
    }
    return total;
  }

  private String send(String method, String path) throws IOException {
    return send(method, path, TIMEOUT);
  }

  private String send(String method, String path, Duration timeout) throws IOException {
    HttpClient.Response response = http().send(method, path, timeout);
    if (response.status() / 100 != 2 && !path.equals("/ready")) {
      throw new IOException(
          method + " " + path + " on " + endpoint.get() + ": HTTP " + response.status());
    }
    return response.body();
  }
}

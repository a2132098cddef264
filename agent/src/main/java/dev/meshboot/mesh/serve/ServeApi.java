package dev.meshboot.mesh.serve;

import com.google.gson.GsonBuilder;
import dev.meshboot.http.HttpServer;
import dev.meshboot.http.HttpServer.Response;
import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.io.Transport;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;

/**
 * The control plane's health and metrics, like the sidecar's management API: {@code GET /live} (the
 * process answers), {@code /ready} (200 once a definition is served, 503 while stopping), {@code
 * /status} (JSON: {@link ServeReport#status()}) and {@code /stats/prometheus}. Read-only: any other
 * method is refused.
 */
final class ServeApi implements AutoCloseable {

  private final HttpServer server;

  private ServeApi(HttpServer server) {
    this.server = server;
  }

  static ServeApi start(
      Transport transport,
      SocketEndpoint endpoint,
      ServeReport report,
      BooleanSupplier ready,
      ExecutorService executor)
      throws IOException {
    return new ServeApi(
        HttpServer.start(transport, endpoint, request -> handle(request, report, ready), executor));
  }

  static Response handle(HttpServer.Request request, ServeReport report, BooleanSupplier ready) {
    String uri = request.uri();
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    if (!request.method().equals("GET")) {
      return new Response(405, "text/plain", "only GET\n", Map.of("Allow", "GET"));
    }
    return switch (path) {
      case "/live" -> Response.text(200, "live\n");
      case "/ready" ->
          ready.getAsBoolean()
              ? Response.text(200, "ready\n")
              : Response.text(503, "not ready: no definition served\n");
      case "/status" ->
          new Response(
              200,
              "application/json",
              new GsonBuilder()
                      .serializeNulls()
                      .setPrettyPrinting()
                      .create()
                      .toJson(report.status())
                  + "\n",
              Map.of());
      case "/stats/prometheus" ->
          new Response(200, "text/plain; version=0.0.4", report.prometheus(), Map.of());
      default ->
          Response.text(404, "no such endpoint; see /live, /ready, /status, /stats/prometheus\n");
    };
  }

  SocketEndpoint endpoint() {
    return server.endpoint();
  }

  @Override
  public void close() {
    server.close();
  }
}

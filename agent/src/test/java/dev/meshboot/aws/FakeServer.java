package dev.meshboot.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A loopback HTTP server for the fakes: routes by method and path, records every request. Public so
 * that the CLI's scenarios can stand in for the metadata services too.
 */
public class FakeServer implements AutoCloseable {

  /** What a route answers. */
  public record Answer(int status, String contentType, String body, Map<String, String> headers) {
    Answer(int status, String contentType, String body) {
      this(status, contentType, body, Map.of());
    }

    public static Answer text(String body) {
      return new Answer(200, "text/plain", body);
    }

    Answer withHeader(String name, String value) {
      Map<String, String> more = new java.util.HashMap<>(headers);
      more.put(name, value);
      return new Answer(status, contentType, body, more);
    }

    public static Answer json(String body) {
      return new Answer(200, "application/json", body);
    }

    static Answer xml(String body) {
      return new Answer(200, "text/xml", body);
    }

    public static Answer status(int status) {
      return new Answer(status, "text/plain", "");
    }
  }

  /** A request as the fake saw it. */
  public record Request(String method, String path, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), "");
    }
  }

  /** How a path answers. */
  public interface Route {
    Answer answer(Request request);
  }

  public final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Route> routes = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean hang;

  public FakeServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** Every request waits until the server closes: a metadata endpoint that never answers. */
  public FakeServer hanging() {
    hang = true;
    return this;
  }

  public FakeServer route(String method, String path, Route route) {
    routes.put(method + " " + path, route);
    return this;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> headers = new ConcurrentHashMap<>();
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) ->
                  headers.put(name.toLowerCase(java.util.Locale.ROOT), values.getFirst()));
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Request request =
          new Request(
              exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body);
      requests.add(request);
      if (hang) {
        release.await(30, TimeUnit.SECONDS);
        return;
      }
      Route route = routes.get(request.method() + " " + request.path());
      Answer answer = route != null ? route.answer(request) : Answer.status(404);
      byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", answer.contentType());
      answer.headers().forEach(exchange.getResponseHeaders()::set);
      exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
      exchange.getResponseBody().write(bytes);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}

package dev.meshboot.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A plain HTTP/1.1 server standing for an application behind the mesh, listening in a test's
 * network namespace: it answers as {@link #handler} says (a status and its name as the body, after
 * a delay, or a connection reset before any answer) and keeps every request it got, so a test can
 * count what Envoy really sent (attempts, health checks). One request per connection.
 */
final class MeshUpstream implements AutoCloseable {

  /** A request as it arrived: method, target (path and query) and headers (lower-case names). */
  record Request(String method, String target, Map<String, String> headers) {

    String path() {
      int query = target.indexOf('?');
      return query < 0 ? target : target.substring(0, query);
    }
  }

  /** What to do with a request. */
  sealed interface Reply {}

  /** Answer {@code status} after {@code delay}, with the server's name as the body. */
  record Answer(int status, Duration delay) implements Reply {}

  /** Reset the connection without answering. */
  record Reset() implements Reply {}

  /** Decides the reply to the request, knowing how many requests with its path came before. */
  @FunctionalInterface
  interface Handler {
    Reply reply(Request request, int earlierWithPath);
  }

  static Reply ok() {
    return new Answer(200, Duration.ZERO);
  }

  private final String name;
  private final Handler handler;
  private final ServerSocket server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();

  private MeshUpstream(String name, Handler handler, ServerSocket server) {
    this.name = name;
    this.handler = handler;
    this.server = server;
    Thread.ofPlatform().daemon().name("upstream-" + name).start(this::serve);
  }

  /** Starts {@code name} on {@code ip:port} inside {@code netns}. */
  static MeshUpstream start(Netns netns, String name, String ip, int port, Handler handler)
      throws Exception {
    ServerSocket server =
        netns.inside(
            () -> {
              ServerSocket socket = new ServerSocket();
              socket.setReuseAddress(true);
              socket.bind(new InetSocketAddress(InetAddress.getByName(ip), port), 64);
              return socket;
            });
    return new MeshUpstream(name, handler, server);
  }

  String name() {
    return name;
  }

  /** The requests received whose path is {@code path}. */
  List<Request> requests(Predicate<Request> which) {
    return requests.stream().filter(which).toList();
  }

  /** The most requests this server was handling at once. */
  int peakConcurrency() {
    return peak.get();
  }

  long count(String path) {
    return requests(r -> r.path().equals(path)).size();
  }

  private void serve() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread.ofVirtual().start(() -> handle(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void handle(Socket socket) {
    try (socket) {
      socket.setSoTimeout(10_000);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      String head = readHead(in);
      if (head.isEmpty()) {
        return;
      }
      String[] lines = head.split("\r\n", -1);
      String[] start = lines[0].split(" ", -1);
      Map<String, String> headers = new TreeMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(
            lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).strip());
      }
      in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
      Request request = new Request(start[0], start[1], headers);
      int earlier;
      synchronized (requests) {
        earlier = (int) count(request.path());
        requests.add(request);
      }
      // in progress from the request's arrival until its answer is due: the answer's bytes may
      // reach Envoy, and its next request arrive, before this thread runs again
      peak.accumulateAndGet(active.incrementAndGet(), Math::max);
      Reply reply;
      try {
        reply = handler.reply(request, earlier);
        if (reply instanceof Answer answer) {
          Thread.sleep(answer.delay());
        }
      } finally {
        active.decrementAndGet();
      }
      reply(socket, reply);
    } catch (IOException e) {
      // Envoy gave up on the request (a timeout): nothing to answer.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void reply(Socket socket, Reply reply) throws IOException {
    switch (reply) {
      case Reset reset -> {
        socket.setSoLinger(true, 0);
      }
      case Answer answer -> {
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(
            ("HTTP/1.1 "
                    + answer.status()
                    + " X\r\nContent-Type: text/plain\r\nContent-Length: "
                    + body.length
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      }
    }
  }

  /** The request head up to the blank line, or empty if the connection closed first. */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return "";
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    return text.substring(0, text.length() - 4);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** An HTTP response as the application saw it: status and body (-1 for no answer at all). */
  record Response(int status, String body) {}

  /**
   * Sends one HTTP/1.1 request from {@code netns} (as its application, which the namespace's
   * iptables rules send to Envoy's egress) to {@code ip:port} for {@code host}.
   */
  static Response send(
      Netns netns,
      String ip,
      int port,
      String method,
      String host,
      String target,
      Map<String, String> headers)
      throws Exception {
    Socket socket =
        netns.inside(
            () -> {
              Socket s = new Socket();
              s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), 5000);
              return s;
            });
    try (socket) {
      socket.setSoTimeout(10_000);
      StringBuilder request =
          new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
      headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
      request.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
      InputStream in = new BufferedInputStream(socket.getInputStream());
      String head = readHead(in);
      if (head.isEmpty()) {
        return new Response(-1, "");
      }
      int status = Integer.parseInt(head.split(" ", -1)[1]);
      int length = -1;
      for (String line : head.split("\r\n", -1)) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).strip());
        }
      }
      byte[] body = length >= 0 ? in.readNBytes(length) : in.readAllBytes();
      return new Response(status, new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Response(-1, e.toString());
    }
  }
}

package dev.meshboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.testing.SharedTransport;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The management server stays available to a health check whatever other clients hold open. */
class HttpServerTest {

  private static HttpServer server(Duration deadline) throws IOException {
    return HttpServer.start(
        SharedTransport.get(),
        new SocketEndpoint.Tcp("127.0.0.1", 0),
        request -> HttpServer.Response.text(200, "ok\n"),
        Executors.newVirtualThreadPerTaskExecutor(),
        deadline);
  }

  private static Socket connect(HttpServer server) throws IOException {
    SocketEndpoint.Tcp tcp = (SocketEndpoint.Tcp) server.endpoint();
    Socket socket = new Socket(tcp.ip(), tcp.port());
    socket.setSoTimeout(5_000);
    return socket;
  }

  private static String get(HttpServer server) throws IOException {
    try (Socket socket = connect(server)) {
      socket
          .getOutputStream()
          .write(
              "GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void closesAConnectionWhoseRequestNeverFinishes() throws IOException {
    try (HttpServer server = server(Duration.ofMillis(300));
        Socket slow = connect(server)) {
      slow.getOutputStream()
          .write("GET /live HTTP/1.1\r\nHost: 127.0".getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      InputStream in = slow.getInputStream();
      assertThat(in.read()).as("closed by the server").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void connectionsHeldOpenCannotLockOutANewRequest() throws IOException {
    List<Socket> idle = new ArrayList<>();
    try (HttpServer server = server(Duration.ofSeconds(30))) {
      for (int i = 0; i < HttpServer.MAX_CONNECTIONS + 6; i++) {
        idle.add(connect(server));
      }
      assertThat(get(server)).startsWith("HTTP/1.1 200").endsWith("ok\n");
      assertThat(idle.getFirst().getInputStream().read())
          .as("the oldest idle connection made room")
          .isEqualTo(-1);
    } finally {
      for (Socket socket : idle) {
        socket.close();
      }
    }
  }
}

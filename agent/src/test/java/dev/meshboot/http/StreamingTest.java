package dev.meshboot.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.testing.SharedTransport;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Large bodies move at the reader's pace: a streamed response is made only as fast as its client
 * takes it, and a streamed request's body is read from the socket only as fast as it is consumed.
 * Checked with a plain socket on the other side, not with the class under test on both.
 */
class StreamingTest {

  /** Far more than the socket buffers between the two sides hold. */
  private static final long LARGE = 256L << 20;

  private final AtomicLong written = new AtomicLong();
  private final CompletableFuture<Throwable> writerEnded = new CompletableFuture<>();

  private HttpServer server(Duration stall) throws IOException {
    return HttpServer.start(
        SharedTransport.get(),
        new SocketEndpoint.Tcp("127.0.0.1", 0),
        request ->
            HttpServer.Response.streamed(
                200,
                "text/plain",
                out -> {
                  byte[] chunk = new byte[8192];
                  java.util.Arrays.fill(chunk, (byte) 'x');
                  try {
                    while (written.get() < LARGE) {
                      out.write(chunk);
                      written.addAndGet(chunk.length);
                    }
                    writerEnded.complete(new AssertionError("wrote it all"));
                  } catch (IOException e) {
                    writerEnded.complete(e);
                    throw e;
                  }
                }),
        Executors.newVirtualThreadPerTaskExecutor(),
        stall);
  }

  private static Socket request(HttpServer server) throws IOException {
    SocketEndpoint.Tcp tcp = (SocketEndpoint.Tcp) server.endpoint();
    Socket socket = new Socket(tcp.ip(), tcp.port());
    socket.setSoTimeout(5_000);
    socket
        .getOutputStream()
        .write("GET /page HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return socket;
  }

  @Test
  void aStreamedResponseWaitsForItsClientAndGivesUpOnOneThatStopsReading() throws Exception {
    try (HttpServer server = server(Duration.ofMillis(800));
        Socket client = request(server)) {
      InputStream in = client.getInputStream();
      assertThat(new String(in.readNBytes(15), StandardCharsets.US_ASCII))
          .isEqualTo("HTTP/1.1 200 OK");
      Thread.sleep(300);
      long stalled = written.get();
      assertThat(stalled)
          .as("made no faster than the client reads: socket buffers and a chunk")
          .isLessThan(32L << 20);
      assertThat(writerEnded.get(5, TimeUnit.SECONDS))
          .as("the client stopped reading")
          .isInstanceOf(IOException.class)
          .hasMessageContaining("stopped reading");
      assertThat(written.get() - stalled).isLessThan(1L << 20);
    }
  }

  @Test
  void aStreamedBodyIsReadOnlyAsFastAsItIsConsumedAndClosingItEndsTheResponse() throws Exception {
    try (HttpServer server = server(Duration.ofSeconds(30))) {
      HttpClient client = new HttpClient(SharedTransport.get(), server.endpoint());
      try (HttpClient.Streamed page =
          client.open("GET", "/page", Duration.ofSeconds(5), Duration.ofSeconds(30))) {
        assertThat(page.status()).isEqualTo(200);
        byte[] first = page.body().readNBytes(1 << 20);
        assertThat(first).hasSize(1 << 20).containsOnly((byte) 'x');
        Thread.sleep(300);
        assertThat(written.get())
            .as("the server is held back by what was not read")
            .isLessThan(48L << 20);
      }
      assertThat(writerEnded.get(10, TimeUnit.SECONDS))
          .as("closing the body closed the connection")
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void aBodyThatStopsArrivingFailsWithinTheReadTimeout() throws Exception {
    CompletableFuture<Void> release = new CompletableFuture<>();
    try (HttpServer server =
        HttpServer.start(
            SharedTransport.get(),
            new SocketEndpoint.Tcp("127.0.0.1", 0),
            request ->
                HttpServer.Response.streamed(
                    200,
                    "text/plain",
                    out -> {
                      out.write("begun".getBytes(StandardCharsets.US_ASCII));
                      out.flush();
                      release.join();
                    }),
            Executors.newVirtualThreadPerTaskExecutor())) {
      HttpClient client = new HttpClient(SharedTransport.get(), server.endpoint());
      try (HttpClient.Streamed page =
          client.open("GET", "/page", Duration.ofMillis(300), Duration.ofSeconds(30))) {
        assertThat(page.body().readNBytes(5))
            .isEqualTo("begun".getBytes(StandardCharsets.US_ASCII));
        long start = System.nanoTime();
        assertThatThrownBy(() -> page.body().read())
            .isInstanceOf(IOException.class)
            .hasMessageContaining("no more of the body within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      } finally {
        release.complete(null);
      }
    }
  }

  @Test
  void aHeadThatNeverComesFailsNamingTheRequest() throws Exception {
    try (java.net.ServerSocket silent =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      HttpClient client =
          new HttpClient(
              SharedTransport.get(), new SocketEndpoint.Tcp("127.0.0.1", silent.getLocalPort()));
      assertThatThrownBy(
              () -> client.open("GET", "/page", Duration.ofMillis(300), Duration.ofSeconds(1)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("GET /page on 127.0.0.1:" + silent.getLocalPort())
          .hasMessageContaining("no answer within");
    }
  }
}

package dev.meshboot.http;

import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.io.Transport;
import dev.meshboot.io.UnixSockets;
import dev.meshboot.log.Log;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * A small HTTP/1.1 server on TCP or a unix socket. Requests have no body; each is handled on the
 * given executor (handlers may block), one at a time per connection. A unix socket is created with
 * mode 0600: bound under a temporary name, restricted, then renamed into place, so it is never
 * reachable with wider permissions; a stale socket of an earlier run is replaced.
 *
 * <p>Bounded against slow or many clients: a request must arrive whole within {@link
 * #REQUEST_DEADLINE} of the connection or of the previous response (a keep-alive connection idle
 * that long is closed), and a client reading a streamed response must take each chunk within the
 * same time; beyond {@link #MAX_CONNECTIONS} connections the oldest idle one is closed to make
 * room, so held-open connections cannot lock out a health check.
 */
public final class HttpServer implements AutoCloseable {

  private static final Log log = Log.of(HttpServer.class);

  /** Requests carry no body; anything larger is refused with 413. */
  private static final int MAX_REQUEST = 16 << 10;

  /** Most connections open at once; a new one beyond closes the oldest idle one. */
  static final int MAX_CONNECTIONS = 64;

  /** How long a whole request may take to arrive, and a streamed chunk to be taken. */
  static final java.time.Duration REQUEST_DEADLINE = java.time.Duration.ofSeconds(10);

  /**
   * A request: its method, raw path with query, and the headers that say where it came from.
   *
   * @param host the Host header, when given
   * @param origin the Origin header a browser adds to cross-origin requests, when given
   */
  public record Request(String method, String uri, @Nullable String host, @Nullable String origin) {

    public Request(String method, String uri) {
      this(method, uri, null, null);
    }
  }

  /**
   * A response: a body in memory, or, when {@code stream} is given, a body written as it is made
   * (chunked; a failure while writing closes the connection, which the client sees as a truncated
   * response).
   */
  public record Response(
      int status,
      String contentType,
      String body,
      Map<String, String> headers,
      @Nullable BodyWriter stream) {

    public Response(int status, String contentType, String body, Map<String, String> headers) {
      this(status, contentType, body, headers, null);
    }

    public static Response text(int status, String body) {
      return new Response(status, "text/plain", body, Map.of());
    }

    /** A body {@code writer} writes, on the handler's thread, as fast as the client reads. */
    public static Response streamed(int status, String contentType, BodyWriter writer) {
      return new Response(status, contentType, "", Map.of(), writer);
    }
  }

  /** Writes a streamed body; the stream must not be closed. */
  public interface BodyWriter {
    void write(java.io.OutputStream out) throws IOException;
  }

  /** Answers requests; may block. */
  public interface Handler {
    Response handle(Request request);
  }

  private final Channel channel;
  private final SocketEndpoint endpoint;

  private HttpServer(Channel channel, SocketEndpoint endpoint) {
    this.channel = channel;
    this.endpoint = endpoint;
  }

  /** Binds and serves; TCP port 0 picks a free port ({@link #endpoint()} tells which). */
  public static HttpServer start(
      Transport transport, SocketEndpoint endpoint, Handler handler, Executor executor)
      throws IOException {
    return start(transport, endpoint, handler, executor, REQUEST_DEADLINE);
  }

  /**
   * As {@link #start(Transport, SocketEndpoint, Handler, Executor)} with another deadline (tests).
   */
  static HttpServer start(
      Transport transport,
      SocketEndpoint endpoint,
      Handler handler,
      Executor executor,
      java.time.Duration requestDeadline)
      throws IOException {
    Connections connections = new Connections();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(transport.group())
            .channel(Transport.serverChannel(endpoint))
            .option(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
            .childOption(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel child) {
                    connections.opened(child);
                    child
                        .pipeline()
                        .addLast(
                            new HttpServerCodec(),
                            new HttpObjectAggregator(MAX_REQUEST),
                            new RequestHandler(handler, executor, connections, requestDeadline));
                  }
                });
    return switch (endpoint) {
      case SocketEndpoint.Tcp tcp -> {
        Channel bound = bind(bootstrap, endpoint, tcp.address());
        int port = ((InetSocketAddress) bound.localAddress()).getPort();
        yield new HttpServer(bound, new SocketEndpoint.Tcp(tcp.ip(), port));
      }
      case SocketEndpoint.Unix unix -> new HttpServer(bindUnix(bootstrap, unix), endpoint);
    };
  }

  private static Channel bind(
      ServerBootstrap bootstrap, SocketEndpoint endpoint, java.net.SocketAddress address)
      throws IOException {
    try {
      return bootstrap.bind(address).sync().channel();
    } catch (Exception e) {
      throw new IOException("cannot listen on " + endpoint + ": " + e.getMessage(), e);
    }
  }

  private static Channel bindUnix(ServerBootstrap bootstrap, SocketEndpoint.Unix unix)
      throws IOException {
    return UnixSockets.bindPrivately(
            unix.path(),
            temporary ->
                new BoundChannel(
                    bind(bootstrap, unix, new SocketEndpoint.Unix(temporary).address())))
        .channel();
  }

  private record BoundChannel(Channel channel) implements AutoCloseable {
    @Override
    public void close() {
      channel.close().syncUninterruptibly();
    }
  }

  /** Where the server listens (with the actual port). */
  public SocketEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    if (endpoint instanceof SocketEndpoint.Unix unix) {
      try {
        Files.deleteIfExists(unix.path());
      } catch (IOException e) {
        log.warn("cannot remove the socket", "path", unix.path(), "error", e.getMessage());
      }
    }
  }

  /** The open connections, oldest first, and which of them are handling a request. */
  private static final class Connections {
    private final java.util.Deque<Channel> open =
        new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final java.util.Set<Channel> busy = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @SuppressWarnings("FutureReturnValueIgnored") // closing an idle connection cannot fail usefully
    void opened(Channel channel) {
      open.addLast(channel);
      channel
          .closeFuture()
          .addListener(
              done -> {
                open.remove(channel);
                busy.remove(channel);
              });
      if (open.size() > MAX_CONNECTIONS) {
        for (Channel candidate : open) {
          if (candidate != channel && !busy.contains(candidate)) {
            log.debug("too many connections; closing the oldest idle one");
            candidate.close();
            return;
          }
        }
      }
    }

    void busy(Channel channel, boolean handling) {
      if (handling) {
        busy.add(channel);
      } else {
        busy.remove(channel);
      }
    }
  }

  private static final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final Handler handler;
    private final Executor executor;
    private final Connections connections;
    private final java.time.Duration requestDeadline;
    private io.netty.util.concurrent.@Nullable ScheduledFuture<?> deadline;

    RequestHandler(
        Handler handler,
        Executor executor,
        Connections connections,
        java.time.Duration requestDeadline) {
      this.handler = handler;
      this.executor = executor;
      this.connections = connections;
      this.requestDeadline = requestDeadline;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
      awaitRequest(context);
      super.channelActive(context);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
      cancelDeadline();
      super.channelInactive(context);
    }

    /** The next request must arrive whole within the deadline (on the channel's event loop). */
    @SuppressWarnings(
        "FutureReturnValueIgnored") // closing a stalled connection cannot fail usefully
    private void awaitRequest(ChannelHandlerContext context) {
      cancelDeadline();
      deadline =
          context
              .executor()
              .schedule(
                  () -> {
                    log.debug("no whole request in time; closing the connection");
                    context.close();
                  },
                  requestDeadline.toMillis(),
                  java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void cancelDeadline() {
      if (deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
      cancelDeadline();
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (request.decoderResult().isFailure()) {
        write(context, Response.text(400, "malformed request\n"), false);
        return;
      }
      Request parsed =
          new Request(
              request.method().name(),
              request.uri(),
              request.headers().get(HttpHeaderNames.HOST),
              request.headers().get(HttpHeaderNames.ORIGIN));
      connections.busy(context.channel(), true);
      // One request at a time per connection keeps responses in order.
      context.channel().config().setAutoRead(false);
      executor.execute(
          () -> {
            Response response;
            try {
              response = handler.handle(parsed);
            } catch (RuntimeException e) {
              log.warn("management request failed", "uri", parsed.uri(), "error", e.toString());
              response = Response.text(500, "internal error: " + e.getMessage() + "\n");
            } catch (Error e) {
              var unused = context.close(); // the client learns at once; the error ends the thread
              throw e;
            }
            if (response.stream() != null) {
              stream(context, response, response.stream(), keepAlive);
            } else {
              write(context, response, keepAlive);
            }
            connections.busy(context.channel(), false);
          });
    }

    /**
     * Writes a streamed response on the handler's thread: the head, the body in chunks (each
     * written before the next is made, so a slow client slows the writer instead of filling the
     * heap), and the end; a failure closes the connection without the end.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // a failed write closes the connection below
    private void stream(
        ChannelHandlerContext context, Response response, BodyWriter writer, boolean keepAlive) {
      HttpResponse head =
          new DefaultHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()));
      head.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, response.contentType())
          .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
          .set(
              HttpHeaderNames.CONNECTION,
              keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
      response.headers().forEach(head.headers()::set);
      context.write(head);
      try (ChunkedBody body = new ChunkedBody(context, requestDeadline)) {
        writer.write(body);
      } catch (IOException | RuntimeException e) {
        log.warn("streamed response failed", "error", e.toString());
        context.close();
        return;
      } catch (Error e) {
        context.close(); // no end will come: the client must not wait for it
        throw e;
      }
      ChannelFuture end = context.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      if (keepAlive) {
        end.addListener(
            (ChannelFutureListener)
                done -> {
                  awaitRequest(context);
                  done.channel().config().setAutoRead(true);
                });
      } else {
        end.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private void write(ChannelHandlerContext context, Response response, boolean keepAlive) {
      FullHttpResponse out =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(response.status()),
              Unpooled.wrappedBuffer(response.body().getBytes(StandardCharsets.UTF_8)));
      out.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, response.contentType())
          .setInt(HttpHeaderNames.CONTENT_LENGTH, out.content().readableBytes());
      response.headers().forEach(out.headers()::set);
      if (keepAlive) {
        out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        context
            .writeAndFlush(out)
            .addListener(
                (ChannelFutureListener)
                    done -> {
                      awaitRequest(context);
                      done.channel().config().setAutoRead(true);
                    });
      } else {
        out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        context.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    @SuppressWarnings(
        "FutureReturnValueIgnored") // closing a failed connection cannot fail usefully
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      log.debug("management connection failed", "error", cause.toString());
      context.close();
    }
  }

  /**
   * A streamed body's chunks: 64 KiB each, each written and flushed before the next is accepted
   * (backpressure from the client, at most one chunk in memory); a client that takes none of a
   * chunk within {@code stall} (it stopped reading) fails the response.
   */
  private static final class ChunkedBody extends java.io.OutputStream {
    private static final int CHUNK = 64 << 10;
    private final ChannelHandlerContext context;
    private final java.time.Duration stall;
    private final byte[] buffer = new byte[CHUNK];
    private int count;

    ChunkedBody(ChannelHandlerContext context, java.time.Duration stall) {
      this.context = context;
      this.stall = stall;
    }

    @Override
    public void write(int b) throws IOException {
      if (count == CHUNK) {
        flush();
      }
      buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
      while (length > 0) {
        if (count == CHUNK) {
          flush();
        }
        int n = Math.min(length, CHUNK - count);
        System.arraycopy(bytes, offset, buffer, count, n);
        count += n;
        offset += n;
        length -= n;
      }
    }

    @Override
    public void flush() throws IOException {
      if (count == 0) {
        return;
      }
      ChannelFuture written =
          context.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buffer, 0, count)));
      count = 0;
      if (context.executor().inEventLoop()) {
        return; // a handler run on the event loop (a direct executor) cannot wait for it
      }
      try {
        if (!written.await(stall.toMillis())) {
          throw new IOException("the client stopped reading for " + stall.toSeconds() + " s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while the client read", e);
      }
      if (!written.isSuccess()) {
        throw new IOException("the client went away: " + written.cause(), written.cause());
      }
    }

    /** Writes what is buffered; the response's end is written by the server. */
    @Override
    public void close() throws IOException {
      flush();
    }
  }

  /** A URI's raw query as names and decoded values; a name without {@code =} has "". */
  public static Map<String, String> query(@Nullable String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name =
          java.net.URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(name, value);
    }
    return out;
  }
}

package dev.meshboot.http;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.io.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A blocking HTTP/1.1 client for one local server over TCP or a unix socket: one connection per
 * request, one deadline for connecting and answering, no retries (callers poll). Small answers are
 * read whole ({@link #send}, at most {@link #MAX_BODY}); a large page (Envoy's Prometheus page:
 * tens of megabytes in a large mesh, on a 64 MB heap) is read as it arrives ({@link #open}), with
 * the connection read only as fast as the body is consumed.
 */
// Netty's write and close futures need no checking here: a failure reaches the request's future
// through the handler (exceptionCaught, channelInactive) or its deadline.
@SuppressWarnings("FutureReturnValueIgnored")
public final class HttpClient {

  /** The largest response body {@link #send} reads whole; larger pages are {@link #open}ed. */
  static final int MAX_BODY = 4 << 20;

  /** A response's status and body. */
  public record Response(int status, String body) {}

  private final Transport transport;
  private final SocketEndpoint endpoint;

  public HttpClient(Transport transport, SocketEndpoint endpoint) {
    this.transport = transport;
    this.endpoint = endpoint;
  }

  public SocketEndpoint endpoint() {
    return endpoint;
  }

  /**
   * Sends {@code method pathAndQuery} with no body.
   *
   * @throws IOException when the server cannot be reached or does not answer within {@code
   *     timeout}; the message names the request and the endpoint
   */
  public Response send(String method, String pathAndQuery, Duration timeout) throws IOException {
    CompletableFuture<Response> result = new CompletableFuture<>();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(transport.group())
            .channel(Transport.channel(endpoint))
            .option(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    channel
                        .pipeline()
                        .addLast(
                            new HttpClientCodec(),
                            new HttpObjectAggregator(MAX_BODY),
                            new ResponseHandler(result));
                  }
                });
    ChannelFuture connect = bootstrap.connect(endpoint.address());
    connect.addListener(
        (ChannelFuture connected) -> {
          if (!connected.isSuccess()) {
            result.completeExceptionally(connected.cause());
            return;
          }
          connected.channel().writeAndFlush(request(method, pathAndQuery));
        });
    try {
      return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IOException(
          method + " " + pathAndQuery + " on " + endpoint + ": no answer within " + timeout, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException(
          method + " " + pathAndQuery + " on " + endpoint + ": " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + method + " " + pathAndQuery, e);
    } finally {
      connect.channel().close();
    }
  }

  /**
   * A response whose body is read as it arrives; closing it closes the connection (and releases
   * what was received and not read).
   */
  public static final class Streamed implements AutoCloseable {
    private final int status;
    private final BodyStream body;

    private Streamed(int status, BodyStream body) {
      this.status = status;
      this.body = body;
    }

    public int status() {
      return status;
    }

    /** The body; a read waits at most the request's timeout for more of it. */
    public InputStream body() {
      return body;
    }

    @Override
    public void close() {
      body.close();
    }
  }

  /**
   * Sends {@code method pathAndQuery} with no body and returns once the response's head has
   * arrived; the body is then read from {@link Streamed#body()}, each read waiting at most {@code
   * timeout}, the whole body within {@code total} of the request.
   *
   * @throws IOException when the server cannot be reached or sends no head within {@code timeout};
   *     the message names the request and the endpoint
   */
  public Streamed open(String method, String pathAndQuery, Duration timeout, Duration total)
      throws IOException {
    long deadline = System.nanoTime() + total.toNanos();
    String what = method + " " + pathAndQuery + " on " + endpoint;
    StreamHandler handler = new StreamHandler(what);
    Bootstrap bootstrap =
        new Bootstrap()
            .group(transport.group())
            .channel(Transport.channel(endpoint))
            .option(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    channel.pipeline().addLast(new HttpClientCodec(), handler);
                  }
                });
    ChannelFuture connect = bootstrap.connect(endpoint.address());
    connect.addListener(
        (ChannelFuture connected) -> {
          if (!connected.isSuccess()) {
            handler.head.completeExceptionally(connected.cause());
            return;
          }
          connected.channel().writeAndFlush(request(method, pathAndQuery));
          connected.channel().read();
        });
    BodyStream body = new BodyStream(connect.channel(), handler, timeout, deadline, what);
    try {
      int status = handler.head.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Streamed(status, body);
    } catch (TimeoutException e) {
      body.close();
      throw new IOException(what + ": no answer within " + timeout, e);
    } catch (ExecutionException e) {
      body.close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException(what + ": " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      body.close();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + what, e);
    }
  }

  private FullHttpRequest request(String method, String pathAndQuery) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), pathAndQuery, Unpooled.EMPTY_BUFFER);
    request
        .headers()
        .set(
            HttpHeaderNames.HOST,
            endpoint instanceof SocketEndpoint.Tcp ? endpoint.toString() : "localhost")
        .set(HttpHeaderNames.CONTENT_LENGTH, 0)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return request;
  }

  /** The end of a streamed body, in the queue of received chunks. */
  private static final Object END = new Object();

  /**
   * Receives a streamed response on the event loop: the head completes {@link #head}, the body's
   * chunks queue up for {@link BodyStream}, which asks for the next socket read only when it has
   * read what is queued: at most one read's worth waits in memory.
   */
  private static final class StreamHandler extends ChannelInboundHandlerAdapter {
    final CompletableFuture<Integer> head = new CompletableFuture<>();
    private final String what;
    private final Object lock = new Object();

    @GuardedBy("lock")
    private final ArrayDeque<Object> received = new ArrayDeque<>();

    @GuardedBy("lock")
    private boolean closed;

    StreamHandler(String what) {
      this.what = what;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
      try {
        if (message instanceof HttpObject object && object.decoderResult().isFailure()) {
          fail(new IOException(what + ": malformed response: " + object.decoderResult().cause()));
          context.close();
          return;
        }
        if (message instanceof HttpResponse response) {
          head.complete(response.status().code());
        }
        if (message instanceof HttpContent content && content.content().isReadable()) {
          offer(content.content().retain());
        }
        if (message instanceof LastHttpContent) {
          offer(END);
        }
      } finally {
        ReferenceCountUtil.release(message);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
      if (!head.isDone()) {
        context.read(); // the head spans more than one read
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      fail(cause);
      context.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
      fail(new IOException(what + ": connection closed before the response ended"));
    }

    private void fail(Throwable cause) {
      head.completeExceptionally(cause);
      offer(cause);
    }

    private void offer(Object item) {
      synchronized (lock) {
        if (closed) {
          ReferenceCountUtil.release(item);
          return;
        }
        received.addLast(item);
        lock.notifyAll();
      }
    }

    /** The next item, waiting at most {@code millis}; null when none came. */
    @Nullable Object take(long millis) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      synchronized (lock) {
        while (received.isEmpty()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return null;
          }
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
        return received.pollFirst();
      }
    }

    boolean drained() {
      synchronized (lock) {
        return received.isEmpty();
      }
    }

    void close() {
      synchronized (lock) {
        closed = true;
        received.forEach(ReferenceCountUtil::release);
        received.clear();
      }
    }
  }

  /** A streamed body: the handler's chunks, read on the caller's thread. */
  private static final class BodyStream extends InputStream {
    private final Channel channel;
    private final StreamHandler handler;
    private final long timeoutMillis;
    private final long deadline;
    private final String what;
    private @Nullable ByteBuf current;
    private boolean ended;

    BodyStream(
        Channel channel, StreamHandler handler, Duration timeout, long deadline, String what) {
      this.channel = channel;
      this.handler = handler;
      this.timeoutMillis = Math.max(1, timeout.toMillis());
      this.deadline = deadline;
      this.what = what;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
      java.util.Objects.checkFromIndexSize(offset, length, into.length);
      if (length == 0) {
        return 0;
      }
      ByteBuf chunk = next();
      if (chunk == null) {
        return -1;
      }
      int count = Math.min(length, chunk.readableBytes());
      chunk.readBytes(into, offset, count);
      return count;
    }

    private @Nullable ByteBuf next() throws IOException {
      while (!ended && (current == null || !current.isReadable())) {
        if (current != null) {
          current.release();
          current = null;
        }
        if (handler.drained()) {
          channel.read();
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new IOException(what + ": the body did not arrive whole in time");
        }
        Object item;
        try {
          item = handler.take(Math.min(timeoutMillis, left));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted: " + what, e);
        }
        if (item == null) {
          throw new IOException(what + ": no more of the body within " + timeoutMillis + " ms");
        } else if (item == END) {
          ended = true;
        } else if (item instanceof Throwable cause) {
          throw cause instanceof IOException io ? io : new IOException(what + ": " + cause, cause);
        } else {
          current = (ByteBuf) item;
        }
      }
      return ended ? null : current;
    }

    @Override
    public void close() {
      if (current != null) {
        current.release();
        current = null;
      }
      ended = true;
      handler.close();
      channel.close();
    }
  }

  private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {

    private final CompletableFuture<Response> result;

    ResponseHandler(CompletableFuture<Response> result) {
      this.result = result;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, FullHttpResponse response) {
      if (response.decoderResult().isFailure()) {
        result.completeExceptionally(
            new IOException("malformed response: " + response.decoderResult().cause()));
      } else {
        result.complete(
            new Response(
                response.status().code(), response.content().toString(StandardCharsets.UTF_8)));
      }
      context.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      result.completeExceptionally(cause);
      context.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
      result.completeExceptionally(new IOException("connection closed before a response"));
    }
  }
}

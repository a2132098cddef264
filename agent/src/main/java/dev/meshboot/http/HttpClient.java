package dev.meshboot.http;

import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.io.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A blocking HTTP/1.1 client for one local server over TCP or a unix socket: one connection per
 * request, one deadline for connecting and answering, no retries (callers poll).
 */
// Netty's write and close futures need no checking here: a failure reaches the request's future
// through the handler (exceptionCaught, channelInactive) or its deadline.
@SuppressWarnings("FutureReturnValueIgnored")
public final class HttpClient {

  /** The largest response body read (a large mesh's Prometheus page is tens of megabytes). */
  static final int MAX_BODY = 256 << 20;

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
          FullHttpRequest request =
              new DefaultFullHttpRequest(
                  HttpVersion.HTTP_1_1,
                  HttpMethod.valueOf(method),
                  pathAndQuery,
                  Unpooled.EMPTY_BUFFER);
          request
              .headers()
              .set(
                  HttpHeaderNames.HOST,
                  endpoint instanceof SocketEndpoint.Tcp ? endpoint.toString() : "localhost")
              .set(HttpHeaderNames.CONTENT_LENGTH, 0)
              .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          connected.channel().writeAndFlush(request);
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

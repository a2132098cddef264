package dev.meshboot.io;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Netty event loop meshboot's traffic shares (the management API, Envoy's admin client and the
 * xDS relay): one daemon thread, owned by whoever opens it ({@code meshboot run}'s session, a probe
 * command) and shut down when it closes; and the NIO channel types for TCP and unix sockets (JDK
 * 16+ unix sockets need no native library). Buffers are unpooled, the relay's too: the traffic is a
 * few requests a second and xDS responses now and then, and a pool's arenas (gRPC's own pooled
 * allocator kept 5 MB of chunks, bench/supervise.py --relay) would cost resident memory in every
 * pod.
 */
public final class Transport implements AutoCloseable {

  public static final ByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(true);

  private final EventLoopGroup group;

  private Transport(EventLoopGroup group) {
    this.group = group;
  }

  /** A new event loop (one daemon thread named meshboot-io). */
  public static Transport open() {
    return new Transport(
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("meshboot-io", true), NioIoHandler.newFactory()));
  }

  /** The event loop. */
  public EventLoopGroup group() {
    return group;
  }

  /** Stops the event loop, waiting at most 2 s for what runs on it. */
  @Override
  public void close() {
    group
        .shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS)
        .awaitUninterruptibly(3_000);
  }

  public static Class<? extends Channel> channel(SocketEndpoint endpoint) {
    return switch (endpoint) {
      case SocketEndpoint.Tcp tcp -> NioSocketChannel.class;
      case SocketEndpoint.Unix unix -> NioDomainSocketChannel.class;
    };
  }

  public static Class<? extends ServerChannel> serverChannel(SocketEndpoint endpoint) {
    return switch (endpoint) {
      case SocketEndpoint.Tcp tcp -> NioServerSocketChannel.class;
      case SocketEndpoint.Unix unix -> NioServerDomainSocketChannel.class;
    };
  }
}

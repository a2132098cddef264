package dev.meshboot.http;

import dev.meshboot.config.SocketEndpoint;
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
 * The one Netty event loop meshboot's traffic shares (the management API, Envoy's admin client and
 * the xDS relay), and the NIO channel types for TCP and unix sockets (JDK 16+ unix sockets need no
 * native library). Buffers are unpooled, the relay's too: the traffic is a few requests a second
 * and xDS responses now and then, and a pool's arenas (gRPC's own pooled allocator kept 5 MB of
 * chunks, bench/supervise.py --relay) would cost resident memory in every pod.
 */
public final class Transport {

  public static final ByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(true);

  private Transport() {}

  private static final class Group {
    static final EventLoopGroup INSTANCE =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("meshboot-io", true), NioIoHandler.newFactory());
  }

  /** The shared event loop: one daemon thread. */
  public static EventLoopGroup group() {
    return Group.INSTANCE;
  }

  static Class<? extends Channel> channel(SocketEndpoint endpoint) {
    return switch (endpoint) {
      case SocketEndpoint.Tcp tcp -> NioSocketChannel.class;
      case SocketEndpoint.Unix unix -> NioDomainSocketChannel.class;
    };
  }

  static Class<? extends ServerChannel> serverChannel(SocketEndpoint endpoint) {
    return switch (endpoint) {
      case SocketEndpoint.Tcp tcp -> NioServerSocketChannel.class;
      case SocketEndpoint.Unix unix -> NioServerDomainSocketChannel.class;
    };
  }
}

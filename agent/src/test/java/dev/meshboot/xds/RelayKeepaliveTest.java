package dev.meshboot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.testing.SharedTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envoy's HTTP/2 keepalive pings to the relay (every 10 s, ads-relay.yaml) never make the relay
 * close Envoy's connection; gRPC's default policy (one ping in 5 minutes) did after the third.
 */
class RelayKeepaliveTest {

  @Test
  void frequentPingsWithoutAStreamKeepTheConnection(@TempDir Path tmp) throws Exception {
    Path socket = tmp.resolve("relay.sock");
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
    try (XdsRelay relay =
        XdsRelay.start(
            SharedTransport.get(),
            socket,
            new XdsRelay.Upstream("127.0.0.1", 1, false, Optional.empty(), Optional.empty()),
            Optional.empty(),
            Clock.systemUTC())) {
      Channel envoy =
          new Bootstrap()
              .group(group)
              .channel(NioDomainSocketChannel.class)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      channel
                          .pipeline()
                          .addLast(
                              Http2FrameCodecBuilder.forClient().build(),
                              new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object frame) {
                                  if (frame instanceof Http2PingFrame ping && ping.ack()) {
                                    frames.add("pong " + ping.content());
                                  } else if (frame instanceof Http2GoAwayFrame goAway) {
                                    frames.add("GOAWAY " + goAway.errorCode());
                                  }
                                  ReferenceCountUtil.release(frame);
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                  frames.add("closed");
                                }
                              });
                    }
                  })
              .connect(UnixDomainSocketAddress.of(socket))
              .sync()
              .channel();
      for (long ping = 1; ping <= 5; ping++) {
        envoy.writeAndFlush(new DefaultHttp2PingFrame(ping)).await(5, TimeUnit.SECONDS);
        assertThat(frames.poll(5, TimeUnit.SECONDS)).isEqualTo("pong " + ping);
        Thread.sleep(50);
      }
      assertThat(frames.poll(200, TimeUnit.MILLISECONDS)).isNull();
      assertThat(envoy.isActive()).isTrue();
      assertThat(relay.connected()).as("no stream, only pings").isFalse();
      envoy.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }
}

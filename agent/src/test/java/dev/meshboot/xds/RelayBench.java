package dev.meshboot.xds;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The relay benchmark (bench/relay.py runs it): a loopback upstream that answers each request with
 * a DiscoveryResponse of the asked size, reached directly and through the relay in the same run.
 * Prints, per path, the median and p99 time from sending a request to receiving a 1 MB response,
 * and the 10 KB responses per second one stream sustains.
 */
public final class RelayBench {

  private RelayBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Server upstream = upstream();
    Path dir = Files.createTempDirectory("meshboot-relay-bench");
    Path socket = dir.resolve("relay.sock");
    XdsRelay relay =
        XdsRelay.start(
            socket,
            new XdsRelay.Upstream(
                "127.0.0.1", upstream.getPort(), false, Optional.empty(), Optional.empty()),
            Optional.empty(),
            Clock.systemUTC());
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ManagedChannel direct =
        NettyChannelBuilder.forAddress("127.0.0.1", upstream.getPort())
            .channelType(NioSocketChannel.class)
            .eventLoopGroup(group)
            .usePlaintext()
            .maxInboundMessageSize(Integer.MAX_VALUE)
            .flowControlWindow(Ads.FLOW_CONTROL_WINDOW) // Envoy's own window is larger still
            .build();
    ManagedChannel relayed =
        NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socket))
            .channelType(NioDomainSocketChannel.class)
            .eventLoopGroup(group)
            .usePlaintext()
            .maxInboundMessageSize(Integer.MAX_VALUE)
            .flowControlWindow(Ads.FLOW_CONTROL_WINDOW) // Envoy's own window is larger still
            .build();
    try {
      // Warm both paths (JIT), then interleave the measured rounds.
      latencies(direct, 1 << 20, 100);
      latencies(relayed, 1 << 20, 100);
      List<Long> directMicros = new ArrayList<>();
      List<Long> relayMicros = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        directMicros.addAll(latencies(direct, 1 << 20, rounds / 10));
        relayMicros.addAll(latencies(relayed, 1 << 20, rounds / 10));
      }
      double directRate = throughput(direct, 10 << 10, seconds);
      double relayRate = throughput(relayed, 10 << 10, seconds);
      System.out.printf(
          "%-44s %10s %10s %14s%n", "path", "1MB p50 ms", "1MB p99 ms", "10KB resp/s");
      print("direct (loopback TCP)", directMicros, directRate);
      print("through the relay (unix socket + TCP)", relayMicros, relayRate);
      System.out.printf(
          "%-44s %10.2f %10.2f %14s%n",
          "added by the relay",
          (percentile(relayMicros, 50) - percentile(directMicros, 50)) / 1000.0,
          (percentile(relayMicros, 99) - percentile(directMicros, 99)) / 1000.0,
          "");
    } finally {
      direct.shutdownNow();
      relayed.shutdownNow();
      relay.close();
      upstream.shutdownNow();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  private static void print(String name, List<Long> micros, double rate) {
    System.out.printf(
        "%-44s %10.2f %10.2f %14.0f%n",
        name, percentile(micros, 50) / 1000.0, percentile(micros, 99) / 1000.0, rate);
  }

  private static long percentile(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
  }

  /** A request: field 4 (type_url) carries the wanted response size, field 5 a nonce. */
  private static byte[] request(int size, long n) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(4, "type.googleapis.com/bench.Size" + size);
    out.writeString(5, "n" + n);
    out.flush();
    return bytes.toByteArray();
  }

  private static byte[] response(int size, String nonce) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(size + 128);
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(1, "v1");
    out.writeBytes(2, ByteString.copyFrom(new byte[size]));
    out.writeString(4, "type.googleapis.com/bench.Size" + size);
    out.writeString(5, nonce);
    out.flush();
    return bytes.toByteArray();
  }

  private static Server upstream() throws IOException {
    ServerServiceDefinition ads =
        StandInAds.service(
            (call, message) -> {
              Wire.Request request = Wire.sotwRequest(message);
              int size =
                  Integer.parseInt(
                      request.typeUrl().substring(request.typeUrl().indexOf("Size") + 4));
              call.sendMessage(response(size, request.nonce()));
            });
    return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .addService(ads)
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .flowControlWindow(Ads.FLOW_CONTROL_WINDOW)
        .build()
        .start();
  }

  /** One stream; each round sends a request and waits for its response. */
  private static List<Long> latencies(Channel channel, int size, int rounds) throws Exception {
    BlockingQueue<byte[]> responses = new LinkedBlockingQueue<>();
    ClientCall<byte[], byte[]> call = open(channel, responses, null);
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      long start = System.nanoTime();
      call.sendMessage(request(size, i));
      if (responses.poll(10, TimeUnit.SECONDS) == null) {
        throw new IllegalStateException("no response");
      }
      micros.add((System.nanoTime() - start) / 1000);
    }
    call.halfClose();
    return micros;
  }

  /** Responses per second with many requests in flight on one stream. */
  private static double throughput(Channel channel, int size, int seconds) throws Exception {
    AtomicLong received = new AtomicLong();
    BlockingQueue<byte[]> ignored = new LinkedBlockingQueue<>(1);
    ClientCall<byte[], byte[]> call = open(channel, ignored, received);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long start = System.nanoTime();
    long sent = 0;
    while (System.nanoTime() < deadline) {
      if (sent - received.get() < 64) {
        call.sendMessage(request(size, sent++));
      } else {
        Thread.onSpinWait();
      }
    }
    double rate = received.get() / ((System.nanoTime() - start) / 1e9);
    call.cancel("done", null);
    return rate;
  }

  private static ClientCall<byte[], byte[]> open(
      Channel channel,
      BlockingQueue<byte[]> responses,
      @org.jspecify.annotations.Nullable AtomicLong counter) {
    ClientCall<byte[], byte[]> call = channel.newCall(Ads.SOTW, CallOptions.DEFAULT);
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onMessage(byte[] message) {
            if (counter != null) {
              counter.incrementAndGet();
            } else {
              responses.add(message);
            }
            call.request(1);
          }
        },
        new Metadata());
    call.request(1);
    return call;
  }
}

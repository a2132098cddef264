package dev.meshboot.xds;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.meshboot.testing.SharedTransport;
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
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
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
 * The relay benchmark (bench/relay.py runs it), in three processes as in a pod: a loopback upstream
 * that answers each request with a DiscoveryResponse of the asked size ({@code upstream}), the
 * relay with meshboot's flags ({@code relay <port> <socket>}), and a client standing in for Envoy
 * ({@code client <port> <socket> <rounds> <seconds>}) that reaches the upstream directly and
 * through the relay, interleaved. The client prints, per path, the median and p99 time from sending
 * a request to receiving a 1 MB response, and the 10 KB responses per second one stream sustains.
 */
public final class RelayBench {

  private RelayBench() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "upstream" -> {
        Server upstream = upstream();
        System.out.println("port " + upstream.getPort());
        System.out.flush();
        System.in.transferTo(OutputStream.nullOutputStream()); // until the script closes stdin
        upstream.shutdownNow();
      }
      case "relay" -> {
        XdsRelay relay =
            XdsRelay.start(
                SharedTransport.get(),
                Path.of(args[2]),
                new XdsRelay.Upstream(
                    "127.0.0.1",
                    Integer.parseInt(args[1]),
                    false,
                    Optional.empty(),
                    Optional.empty()),
                Optional.empty(),
                Clock.systemUTC());
        System.out.println("ready");
        System.out.flush();
        System.in.transferTo(OutputStream.nullOutputStream());
        relay.close();
      }
      case "client" ->
          client(
              Integer.parseInt(args[1]),
              Path.of(args[2]),
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]),
              args.length > 5 ? Optional.of(Path.of(args[5])) : Optional.empty());
      default -> throw new IllegalArgumentException("upstream, relay or client, not " + args[0]);
    }
  }

  private static void client(
      int port, Path socket, int rounds, int seconds, Optional<Path> floorSocket) throws Exception {
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ManagedChannel direct =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .channelType(NioSocketChannel.class)
            .eventLoopGroup(group)
            .usePlaintext()
            .maxInboundMessageSize(Integer.MAX_VALUE)
            .flowControlWindow(Ads.FLOW_CONTROL_WINDOW) // Envoy's own window is larger still
            .build();
    ManagedChannel relayed = overUnixSocket(socket, group);
    Optional<ManagedChannel> floor = floorSocket.map(path -> overUnixSocket(path, group));
    try {
      // Warm the paths (JIT), then interleave the measured rounds.
      latencies(direct, 1 << 20, 100);
      latencies(relayed, 1 << 20, 100);
      if (floor.isPresent()) {
        latencies(floor.get(), 1 << 20, 100);
      }
      List<Long> directMicros = new ArrayList<>();
      List<Long> relayMicros = new ArrayList<>();
      List<Long> floorMicros = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        directMicros.addAll(latencies(direct, 1 << 20, rounds / 10));
        relayMicros.addAll(latencies(relayed, 1 << 20, rounds / 10));
        if (floor.isPresent()) {
          floorMicros.addAll(latencies(floor.get(), 1 << 20, rounds / 10));
        }
      }
      double directRate = throughput(direct, 10 << 10, seconds);
      double relayRate = throughput(relayed, 10 << 10, seconds);
      System.out.printf(
          "%-46s %10s %10s %14s%n", "path", "1MB p50 ms", "1MB p99 ms", "10KB resp/s");
      print("direct (loopback TCP)", directMicros, directRate);
      if (floor.isPresent()) {
        print("through a bare byte splice (bench/splice.c)", floorMicros, Double.NaN);
      }
      print("through the relay (unix socket + TCP)", relayMicros, relayRate);
      if (floor.isPresent()) {
        added("added by the splice: one more hop", floorMicros, directMicros);
      }
      added("added by the relay", relayMicros, directMicros);
      if (floor.isPresent()) {
        added("the relay beyond the splice", relayMicros, floorMicros);
      }
    } finally {
      direct.shutdownNow();
      relayed.shutdownNow();
      floor.ifPresent(ManagedChannel::shutdownNow);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  private static ManagedChannel overUnixSocket(Path socket, MultiThreadIoEventLoopGroup group) {
    return NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socket))
        .channelType(NioDomainSocketChannel.class)
        .eventLoopGroup(group)
        .usePlaintext()
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .flowControlWindow(Ads.FLOW_CONTROL_WINDOW) // Envoy's own window is larger still
        .build();
  }

  private static void added(String name, List<Long> micros, List<Long> baseline) {
    System.out.printf(
        "%-46s %10.2f %10.2f%n",
        name,
        (percentile(micros, 50) - percentile(baseline, 50)) / 1000.0,
        (percentile(micros, 99) - percentile(baseline, 99)) / 1000.0);
  }

  /** One path's row; {@code rate} NaN when its throughput was not measured. */
  private static void print(String name, List<Long> micros, double rate) {
    System.out.printf(
        "%-46s %10.2f %10.2f %14s%n",
        name,
        percentile(micros, 50) / 1000.0,
        percentile(micros, 99) / 1000.0,
        Double.isNaN(rate) ? "" : String.format("%.0f", rate));
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

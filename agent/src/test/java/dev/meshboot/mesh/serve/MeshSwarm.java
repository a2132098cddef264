package dev.meshboot.mesh.serve;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * bench/mesh_serve.py's simulated Envoys: {@code count} state-of-the-world ADS clients, each on a
 * TCP connection of its own, for nodes {@code vn-0} to {@code vn-<count-1>} of one mesh, ACKing
 * every response as Envoy does ({@link AdsClient}). Prints {@code ready} once every client has
 * accepted clusters, listeners and route configurations; then, for each line {@code await <t0>
 * <node index>...} on stdin ({@code t0}: CLOCK_MONOTONIC nanoseconds, which {@link System#nanoTime}
 * and Python's {@code time.monotonic_ns} share on Linux), waits until every listed client was sent
 * something after {@code t0} and the responses stop (500 ms quiet), and prints {@code acked <ms
 * from t0 to the last ACK> <responses to listed clients> <responses to others>}.
 *
 * <p>Usage: {@code MeshSwarm HOST PORT MESH COUNT}
 */
public final class MeshSwarm {

  private MeshSwarm() {}

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    String mesh = args[2];
    int count = Integer.parseInt(args[3]);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    List<ManagedChannel> channels = new ArrayList<>();
    List<AdsClient> clients = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(host, port)
              .channelType(NioSocketChannel.class)
              .eventLoopGroup(group)
              .usePlaintext()
              .build();
      channels.add(channel);
      clients.add(AdsClient.sotw(channel, "mesh/" + mesh + "/virtualNode/vn-" + i));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    for (AdsClient client : clients) {
      while (!client
          .accepted()
          .keySet()
          .containsAll(List.of(AdsClient.CLUSTERS, AdsClient.LISTENERS, AdsClient.ROUTES))) {
        if (client.closed().isDone() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "a client was not configured: " + client.accepted() + " " + client.closed());
        }
        Thread.sleep(5);
      }
    }
    drain(clients, Long.MAX_VALUE, new HashMap<>());
    System.out.println("ready");
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isBlank()) {
        continue;
      }
      List<String> words = List.of(line.trim().split(" +", -1));
      long t0 = Long.parseLong(words.get(1));
      List<Integer> listed = new ArrayList<>();
      for (int i = 2; i < words.size(); i++) {
        listed.add(Integer.parseInt(words.get(i)));
      }
      System.out.println(await(clients, t0, listed));
      System.out.flush();
    }
    for (AdsClient client : clients) {
      client.close();
    }
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    var unused = group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private static String await(List<AdsClient> clients, long t0, List<Integer> listed)
      throws InterruptedException {
    Map<Integer, long[]> pushed = new HashMap<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long quietSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      if (drain(clients, t0, pushed)) {
        quietSince = System.nanoTime();
      }
      if (pushed.keySet().containsAll(listed)
          && System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(500)) {
        break;
      }
      Thread.sleep(2);
    }
    long last = 0;
    long responses = 0;
    for (int i : listed) {
      long[] one = pushed.get(i);
      if (one == null) {
        return "acked -1 0 0";
      }
      responses += one[0];
      last = Math.max(last, one[1]);
    }
    long others = pushed.keySet().stream().filter(i -> !listed.contains(i)).count();
    return "acked " + (last - t0) / 1e6 + " " + responses + " " + others;
  }

  /**
   * Takes every response received; those after {@code t0} are counted per client in {@code pushed}
   * (count, latest time). Whether there was any.
   */
  private static boolean drain(List<AdsClient> clients, long t0, Map<Integer, long[]> pushed)
      throws InterruptedException {
    boolean any = false;
    for (int i = 0; i < clients.size(); i++) {
      for (AdsClient.Received r = clients.get(i).poll(0); r != null; r = clients.get(i).poll(0)) {
        any = true;
        if (r.atNanos() > t0) {
          long[] one = pushed.computeIfAbsent(i, k -> new long[2]);
          one[0]++;
          one[1] = Math.max(one[1], r.atNanos());
        }
      }
    }
    return any;
  }
}

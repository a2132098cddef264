package dev.meshboot.it;

import dev.meshboot.testing.Wait;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Envoy running as a mesh node in a network namespace: its bootstrap names the node (App
 * Mesh's {@code mesh/<mesh>/virtualNode/<name>}), takes everything else over ADS from a {@link
 * MeshXdsServer} on a unix socket (SDS too: the bootstrap's {@code static_cluster_sds_unix_socket}
 * is that server), and its admin interface is a unix socket as well.
 */
final class MeshEnvoy {

  private final Process process;
  private final Path admin;
  private final Path log;

  private MeshEnvoy(Process process, Path admin, Path log) {
    this.process = process;
    this.admin = admin;
    this.log = log;
  }

  /**
   * Starts Envoy as {@code nodeId} in {@code netns}, files under {@code dir}; with {@code gid} (not
   * 0) it runs in that group, which interception rules exempt as App Mesh's did the proxy's.
   */
  static MeshEnvoy start(Path dir, Netns netns, String nodeId, MeshXdsServer xds, int gid)
      throws IOException {
    Files.createDirectories(dir);
    Path admin = dir.resolve("admin.sock");
    Path bootstrap = dir.resolve("envoy.json");
    Path log = dir.resolve("envoy.log");
    Files.writeString(bootstrap, bootstrap(nodeId, admin, xds.socket()));
    List<String> command = new ArrayList<>();
    if (gid != 0) {
      command.addAll(List.of("setpriv", "--regid=" + gid, "--clear-groups", "--"));
    }
    command.addAll(
        List.of(
            Envoy.path().toString(),
            "-c",
            bootstrap.toString(),
            "--disable-hot-restart",
            // one worker: a connection pool's limits are then the node's (each worker's pool may
            // open one connection whatever the circuit breaker says), and two cores go further
            "--concurrency",
            "1",
            // access logs written within a tenth of a second, not Envoy's default 10 s
            "--file-flush-interval-msec",
            "100",
            "--base-id",
            Long.toString(Math.abs(dir.hashCode() % 100000)),
            "-l",
            "info"));
    Process process =
        netns.start(
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()));
    return new MeshEnvoy(process, admin, log);
  }

  private static String bootstrap(String nodeId, Path admin, Path xds) {
    String cluster =
        """
        {"name": "%s", "type": "STATIC", "connect_timeout": "1s",
         "typed_extension_protocol_options": {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
           "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
           "explicit_http_config": {"http2_protocol_options": {}}}},
         "load_assignment": {"cluster_name": "%s", "endpoints": [{"lb_endpoints": [
           {"endpoint": {"address": {"pipe": {"path": "%s"}}}}]}]}}
        """;
    return """
        {
          "node": {"id": "%s", "cluster": "%s"},
          "admin": {"address": {"pipe": {"path": "%s"}}},
          "static_resources": {"clusters": [%s, %s]},
          "dynamic_resources": {
            "ads_config": {"api_type": "GRPC", "transport_api_version": "V3",
                           "grpc_services": [{"envoy_grpc": {"cluster_name": "xds"}}]},
            "lds_config": {"ads": {}, "resource_api_version": "V3"},
            "cds_config": {"ads": {}, "resource_api_version": "V3"}
          }
        }
        """
        .formatted(
            nodeId,
            nodeId,
            admin,
            cluster.formatted("xds", "xds", xds),
            cluster.formatted(
                "static_cluster_sds_unix_socket", "static_cluster_sds_unix_socket", xds));
  }

  /** Waits until Envoy reports LIVE on {@code /ready}. */
  void awaitLive() throws Exception {
    Wait.until(
        "Envoy LIVE",
        Duration.ofSeconds(60),
        Duration.ofMillis(100),
        () -> get("/ready").strip().equals("LIVE"),
        process::isAlive,
        () -> "Envoy's /ready: " + get("/ready") + "\n" + log());
  }

  /** The body of an admin {@code GET}, or the error in words. */
  String get(String path) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(admin));
      channel.write(
          ByteBuffer.wrap(
              ("GET " + path + " HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8)));
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(65536);
      while (channel.read(buffer) >= 0) {
        response.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      String text = response.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        return text;
      }
      String body = text.substring(end + 4);
      return text.substring(0, end).toLowerCase(java.util.Locale.ROOT).contains("chunked")
          ? dechunk(body)
          : body;
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** A chunked body's content (ASCII bodies: admin output). */
  private static String dechunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (at < chunked.length()) {
      int line = chunked.indexOf("\r\n", at);
      if (line < 0) {
        break;
      }
      int size = Integer.parseInt(chunked.substring(at, line).strip(), 16);
      if (size == 0) {
        break;
      }
      out.append(chunked, line + 2, line + 2 + size);
      at = line + 2 + size + 2;
    }
    return out.toString();
  }

  /** Envoy's counters and gauges ({@code /stats}) whose names match {@code regex}. */
  Map<String, Long> stats(String regex) {
    Map<String, Long> out = new TreeMap<>();
    Matcher line = Pattern.compile("(?m)^([^:\\s]+): (\\d+)$").matcher(get("/stats"));
    while (line.find()) {
      if (line.group(1).matches(regex)) {
        out.put(line.group(1), Long.parseLong(line.group(2)));
      }
    }
    return out;
  }

  /** One counter or gauge, 0 when Envoy has none by that name. */
  long stat(String name) {
    return stats(Pattern.quote(name)).getOrDefault(name, 0L);
  }

  String log() {
    return Local.read(log);
  }

  boolean alive() {
    return process.isAlive();
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}

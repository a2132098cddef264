package dev.meshboot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.meshboot.log.Log;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The last-known-good cache on disk: what it keeps, for whom, and what it refuses to serve. */
class LastGoodCacheTest {

  static final String NODE = "mesh/shop/virtualNode/cart";
  static final String ENDPOINT = "appmesh-envoy-management.us-west-2.amazonaws.com:443";
  static final String CLUSTER = WireTest.CLUSTER;
  static final String ENDPOINTS =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

  @AfterEach
  void restoreLog() {
    Log.redirect(System.err);
  }

  static byte[] clusters(String version, String... names) {
    return response(
        CLUSTER,
        version,
        Stream.of(names).map(name -> Cluster.newBuilder().setName(name).build()).toList());
  }

  static byte[] endpoints(String version, String... names) {
    return response(
        ENDPOINTS,
        version,
        Stream.of(names)
            .map(name -> ClusterLoadAssignment.newBuilder().setClusterName(name).build())
            .toList());
  }

  static byte[] response(String type, String version, List<? extends Message> resources) {
    DiscoveryResponse.Builder response =
        DiscoveryResponse.newBuilder().setTypeUrl(type).setVersionInfo(version).setNonce("n");
    resources.forEach(resource -> response.addResources(Any.pack(resource)));
    return response.build().toByteArray();
  }

  private static LastGoodCache cache(Path dir) {
    return new LastGoodCache(dir, ENDPOINT, Clock.systemUTC());
  }

  /** Whether the cache has the node, once its files are read. */
  static boolean has(LastGoodCache cache, String node) {
    cache.loading(node).join();
    return cache.has(node);
  }

  private static DiscoveryResponse served(LastGoodCache cache, String node, String type)
      throws Exception {
    cache.loading(node).join();
    return DiscoveryResponse.parseFrom(
        cache.get(node, type).orElseThrow().response("c1", List.of()));
  }

  @Test
  void keepsWhatEnvoyAcceptedOnDiskForTheNextStart(@TempDir Path dir) throws Exception {
    try (LastGoodCache cache = cache(dir)) {
      cache.accepted(NODE, clusters("v1", "a", "b"), List.of());
    } // close waits for the write
    Path directory = cache(dir).directory(NODE);
    assertThat(Files.getPosixFilePermissions(directory))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    try (Stream<Path> files = Files.list(directory)) {
      List<Path> written = files.toList();
      assertThat(written).hasSize(1); // no temporary file left behind
      assertThat(Files.getPosixFilePermissions(written.get(0)))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    LastGoodCache restarted = cache(dir);
    assertThat(has(restarted, NODE)).isTrue();
    DiscoveryResponse response = served(restarted, NODE, CLUSTER);
    assertThat(response.getVersionInfo()).isEqualTo("v1");
    assertThat(response.getNonce()).isEqualTo("c1");
    assertThat(response.getResourcesList())
        .extracting(any -> any.unpack(Cluster.class).getName())
        .containsExactly("a", "b");
  }

  @Test
  void neverFeedsAnotherNodeOrEndpoint(@TempDir Path dir) throws Exception {
    try (LastGoodCache cache = cache(dir)) {
      cache.accepted(NODE, clusters("v1", "a"), List.of());
    }
    assertThat(has(cache(dir), "mesh/shop/virtualNode/payments")).isFalse();
    assertThat(has(new LastGoodCache(dir, "other.example:443", Clock.systemUTC()), NODE)).isFalse();

    // A file copied into another node's directory names its own node, and is refused.
    LastGoodCache cache = cache(dir);
    Path other = cache.directory("mesh/shop/virtualNode/payments");
    Files.createDirectories(other);
    try (Stream<Path> files = Files.list(cache.directory(NODE))) {
      Path file = files.findFirst().orElseThrow();
      Files.copy(file, other.resolve(file.getFileName()));
    }
    Log.redirect(new PrintStream(logged, true, StandardCharsets.UTF_8));
    assertThat(has(cache, "mesh/shop/virtualNode/payments")).isFalse();
    assertThat(logged.toString(StandardCharsets.UTF_8))
        .contains("ignoring a corrupt last-known-good cache file")
        .contains("written for node " + NODE);
  }

  @Test
  void aCorruptOrTruncatedFileIsIgnoredWithAWarning(@TempDir Path dir) throws Exception {
    try (LastGoodCache cache = cache(dir)) {
      cache.accepted(NODE, clusters("v1", "a"), List.of());
    }
    Path file;
    try (Stream<Path> files = Files.list(cache(dir).directory(NODE))) {
      file = files.findFirst().orElseThrow();
    }
    byte[] good = Files.readAllBytes(file);
    Log.redirect(new PrintStream(logged, true, StandardCharsets.UTF_8));

    byte[] flipped = good.clone();
    flipped[flipped.length / 2] ^= 0x40;
    Files.write(file, flipped);
    assertThat(has(cache(dir), NODE)).isFalse();

    Files.write(file, java.util.Arrays.copyOf(good, good.length - 9));
    assertThat(has(cache(dir), NODE)).isFalse();

    Files.writeString(file, "not a cache file");
    assertThat(has(cache(dir), NODE)).isFalse();

    assertThat(logged.toString(StandardCharsets.UTF_8).lines())
        .filteredOn(line -> line.contains("ignoring a corrupt last-known-good cache file"))
        .hasSize(3)
        .allMatch(line -> line.contains(file.toString()));

    Files.write(file, good);
    assertThat(has(cache(dir), NODE)).isTrue();
  }

  /**
   * The cache directory is a volume that outlives the container and may hold anything: a FIFO, a
   * huge file or a link to /dev/zero beside a valid set is skipped with a warning naming it,
   * without blocking or running out of memory, and the valid set is still served.
   */
  @Test
  void hostileFilesBesideAValidSetAreSkippedAndTheSetServed(@TempDir Path dir) throws Exception {
    try (LastGoodCache cache = cache(dir)) {
      cache.accepted(NODE, clusters("v1", "a"), List.of());
    }
    Path directory = cache(dir).directory(NODE);
    Path fifo = directory.resolve("0000000000000000.xds");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path huge = directory.resolve("1111111111111111.xds");
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(200L << 20); // sparse: 200 MB that take no disk
    }
    Path zero =
        Files.createSymbolicLink(directory.resolve("2222222222222222.xds"), Path.of("/dev/zero"));
    Log.redirect(new PrintStream(logged, true, StandardCharsets.UTF_8));

    LastGoodCache cache = cache(dir);
    long start = System.nanoTime();
    assertThat(cache.loading(NODE).get(10, java.util.concurrent.TimeUnit.SECONDS)).hasSize(1);
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(java.time.Duration.ofSeconds(5));
    assertThat(served(cache, NODE, CLUSTER).getVersionInfo()).isEqualTo("v1");
    String warnings = logged.toString(StandardCharsets.UTF_8);
    assertThat(warnings).contains(fifo + "").contains(huge + "").contains(zero + "");
    assertThat(warnings).contains("not a regular file").contains("larger than 16 MiB");
  }

  @Test
  void wholeSetTypesAreReplacedOthersMergedByNameAndKeptToTheSubscription(@TempDir Path dir)
      throws Exception {
    try (LastGoodCache cache = cache(dir)) {
      cache.accepted(NODE, clusters("v1", "a", "b"), List.of());
      cache.accepted(NODE, clusters("v2", "b", "c"), List.of());
      cache.accepted(NODE, endpoints("e1", "a", "b"), List.of("a", "b"));
      // Endpoints come as changes: b alone changed; c is new; a was dropped from the subscription.
      cache.accepted(NODE, endpoints("e2", "b", "c"), List.of("b", "c"));
    }
    LastGoodCache cache = cache(dir);
    assertThat(served(cache, NODE, CLUSTER).getResourcesList())
        .extracting(any -> any.unpack(Cluster.class).getName())
        .containsExactly("b", "c");
    DiscoveryResponse endpoints = served(cache, NODE, ENDPOINTS);
    assertThat(endpoints.getVersionInfo()).isEqualTo("e2");
    assertThat(endpoints.getResourcesList())
        .extracting(any -> any.unpack(ClusterLoadAssignment.class).getClusterName())
        .containsExactlyInAnyOrder("b", "c");

    // Served for a subscription, only the names asked for.
    assertThat(
            DiscoveryResponse.parseFrom(
                    cache.get(NODE, ENDPOINTS).orElseThrow().response("c2", List.of("c")))
                .getResourcesList())
        .extracting(any -> any.unpack(ClusterLoadAssignment.class).getClusterName())
        .containsExactly("c");
  }

  @Test
  void namesResourcesWrappedInADiscoveryResource() throws Exception {
    byte[] wrapped =
        DiscoveryResponse.newBuilder()
            .setTypeUrl(ENDPOINTS)
            .setVersionInfo("v1")
            .addResources(
                Any.pack(
                    Resource.newBuilder()
                        .setName("x")
                        .setResource(
                            Any.pack(
                                ClusterLoadAssignment.newBuilder().setClusterName("x").build()))
                        .build()))
            .build()
            .toByteArray();
    assertThat(ResourceSet.of(wrapped).resources()).containsOnlyKeys("x");
  }
}

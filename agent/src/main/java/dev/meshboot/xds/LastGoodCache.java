package dev.meshboot.xds;

import dev.meshboot.config.AtomicFiles;
import dev.meshboot.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Envoy's last-known-good configuration: per node and type URL, the resources of every response
 * Envoy acknowledged, on disk so that a restarted Envoy (or meshboot) can start from them while the
 * management endpoint is down. Rejected (NACKed) responses never get here.
 *
 * <p>One directory per node id and management endpoint (a hash of both; the file repeats them and a
 * mismatch is refused, so a cache can never feed another node), one file per type URL, mode 0600,
 * written atomically on a background thread. A file that is truncated, fails its checksum or names
 * another node is ignored with a warning and never served.
 */
public final class LastGoodCache implements AutoCloseable {

  private static final Log log = Log.of(LastGoodCache.class);

  private static final byte[] MAGIC =
      "meshboot last-known-good xDS 1\n".getBytes(StandardCharsets.UTF_8);
  private static final String SUFFIX = ".xds";

  private final Path root;
  private final String endpoint;
  private final Clock clock;
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("meshboot-xds-cache").factory());

  /** Per node id, per type URL: what Envoy accepted; loaded from disk on first use. */
  private final Map<String, Map<String, ResourceSet>> nodes = new ConcurrentHashMap<>();

  /** A cache under {@code root} for the management endpoint {@code endpoint} (host:port). */
  public LastGoodCache(Path root, String endpoint, Clock clock) {
    this.root = root.toAbsolutePath();
    this.endpoint = endpoint;
    this.clock = clock;
  }

  /** The directory all nodes' caches are under. */
  public Path root() {
    return root;
  }

  /** Where the files of {@code nodeId} are. */
  Path directory(String nodeId) {
    return root.resolve(hash(nodeId + "\n" + endpoint).substring(0, 32));
  }

  /** The accepted set of {@code typeUrl} for {@code nodeId}, if any. */
  Optional<ResourceSet> get(String nodeId, String typeUrl) {
    return Optional.ofNullable(node(nodeId).get(typeUrl));
  }

  /**
   * Reads the files of {@code nodeId} in the background, so that the relay's transport thread,
   * which asks {@link #has} and {@link #get}, does not wait for the disk.
   */
  void preload(String nodeId) {
    writer.execute(() -> node(nodeId));
  }

  /** Whether anything is cached for {@code nodeId}. */
  boolean has(String nodeId) {
    return !node(nodeId).isEmpty();
  }

  /**
   * Envoy acknowledged {@code response} (a state-of-the-world {@code DiscoveryResponse} from the
   * management server) subscribing to {@code subscribed}: merged into the node's set and written,
   * in the background and in order.
   */
  void accepted(String nodeId, byte[] response, List<String> subscribed) {
    writer.execute(
        () -> {
          try {
            ResourceSet received = ResourceSet.of(response);
            Map<String, ResourceSet> types = node(nodeId);
            ResourceSet merged =
                ResourceSet.accepted(types.get(received.typeUrl()), received, subscribed);
            types.put(received.typeUrl(), merged);
            write(nodeId, merged);
          } catch (IOException | RuntimeException e) {
            log.warn(
                "cannot store the last-known-good configuration",
                "directory",
                directory(nodeId),
                "error",
                e.toString());
          }
        });
  }

  private Map<String, ResourceSet> node(String nodeId) {
    return nodes.computeIfAbsent(nodeId, this::load);
  }

  private Map<String, ResourceSet> load(String nodeId) {
    Map<String, ResourceSet> types = new ConcurrentHashMap<>();
    Path directory = directory(nodeId);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path file : files) {
        try {
          ResourceSet set = read(file, nodeId);
          types.put(set.typeUrl(), set);
        } catch (IOException | RuntimeException e) {
          log.warn(
              "ignoring a corrupt last-known-good cache file", "file", file, "error", e.toString());
        }
      }
    } catch (NoSuchFileException e) {
      return types;
    } catch (IOException e) {
      log.warn(
          "cannot read the last-known-good cache", "directory", directory, "error", e.toString());
    }
    if (!types.isEmpty()) {
      log.info(
          "last-known-good configuration found", "directory", directory, "types", types.keySet());
    }
    return types;
  }

  /**
   * The file: magic line, node id, endpoint, type URL, time stored (ms), the set as a {@code
   * DiscoveryResponse} (length-prefixed), then a CRC32C of everything before it.
   */
  private void write(String nodeId, ResourceSet set) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(MAGIC);
    out.writeUTF(nodeId);
    out.writeUTF(endpoint);
    out.writeUTF(set.typeUrl());
    out.writeLong(clock.millis());
    byte[] payload = set.toBytes();
    out.writeInt(payload.length);
    out.write(payload);
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeLong(crc.getValue());
    Path directory = directory(nodeId);
    Files.createDirectories(
        directory,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    AtomicFiles.write(
        directory.resolve(hash(set.typeUrl()).substring(0, 16) + SUFFIX),
        bytes.toByteArray(),
        AtomicFiles.MODE_0600);
  }

  private ResourceSet read(Path file, String nodeId) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < MAGIC.length + Long.BYTES
        || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new IOException("not a meshboot cache file");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - Long.BYTES);
    DataInputStream in =
        new DataInputStream(new java.io.ByteArrayInputStream(bytes, MAGIC.length, bytes.length));
    String storedNode = in.readUTF();
    String storedEndpoint = in.readUTF();
    String type = in.readUTF();
    Instant stored = Instant.ofEpochMilli(in.readLong());
    int length = in.readInt();
    if (length < 0 || length > bytes.length) {
      throw new IOException("truncated");
    }
    byte[] payload = in.readNBytes(length);
    if (payload.length != length || in.readLong() != crc.getValue() || in.read() != -1) {
      throw new IOException("truncated or checksum mismatch");
    }
    if (!storedNode.equals(nodeId) || !storedEndpoint.equals(endpoint)) {
      throw new IOException(
          "written for node " + storedNode + " and endpoint " + storedEndpoint + ", not this one");
    }
    ResourceSet set = ResourceSet.of(payload);
    if (!set.typeUrl().equals(type)) {
      throw new IOException("holds " + set.typeUrl() + " but is labelled " + type);
    }
    log.debug("cached configuration", "type", type, "version", set.version(), "stored", stored);
    return set;
  }

  private static String hash(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Waits (briefly) for the writes in flight. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("last-known-good cache writes still pending at exit", "directory", root);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.meshboot.xds;

import dev.meshboot.io.AtomicFiles;
import dev.meshboot.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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
import java.util.concurrent.CompletableFuture;
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
 *
 * <p>The directory is a volume that outlives the container, so it may stall or hold anything: no
 * disk I/O happens on the caller's thread (the relay's event loop), a node's files are read in the
 * background within {@link #LOAD_DEADLINE}, only regular files of at most {@link #MAX_FILE} bytes
 * are read (not links, FIFOs or devices), and pending writes are coalesced per file, so a stalled
 * disk holds at most one set per node and type.
 */
public final class LastGoodCache implements AutoCloseable {

  private static final Log log = Log.of(LastGoodCache.class);

  private static final byte[] MAGIC =
      "meshboot last-known-good xDS 1\n".getBytes(StandardCharsets.UTF_8);
  private static final String SUFFIX = ".xds";

  private final Path root;
  private final String endpoint;
  private final Clock clock;

  /** The longest a node's files may take to read; after it they count as absent. */
  static final java.time.Duration LOAD_DEADLINE = java.time.Duration.ofSeconds(5);

  /** The largest file read: larger is not a set the relay wrote for a 64 MB heap. */
  static final long MAX_FILE = 16L << 20;

  /** Merges accepted responses into the node's sets, in order (no disk I/O). */
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("meshboot-xds-cache").factory());

  /** Writes files, the latest set per file (a stalled disk holds up nothing else). */
  private final ExecutorService disk =
      Executors.newSingleThreadExecutor(
          Thread.ofVirtual().name("meshboot-xds-cache-disk").factory());

  /** Reads a node's files, each load on a thread of its own. */
  private final ExecutorService loader =
      Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("meshboot-xds-cache-load").factory());

  /** The bytes waiting to be written, per file; the disk thread takes the latest. */
  private final Map<Path, byte[]> pendingWrites = new ConcurrentHashMap<>();

  /** Per node id, per type URL: what Envoy accepted; read from disk on first use. */
  private final Map<String, CompletableFuture<Map<String, ResourceSet>>> nodes =
      new ConcurrentHashMap<>();

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

  /**
   * The accepted set of {@code typeUrl} for {@code nodeId}, if any, without waiting: empty while
   * the node's files are still being read ({@link #loading}).
   */
  Optional<ResourceSet> get(String nodeId, String typeUrl) {
    return Optional.ofNullable(loaded(nodeId).get(typeUrl));
  }

  /**
   * Starts reading the files of {@code nodeId} in the background, so that the relay's transport
   * thread, which asks {@link #has} and {@link #get}, never waits for the disk.
   */
  void preload(String nodeId) {
    var unused = loading(nodeId);
  }

  /** The node's sets, once read (within {@link #LOAD_DEADLINE}; nothing if it was not met). */
  CompletableFuture<Map<String, ResourceSet>> loading(String nodeId) {
    return nodes.computeIfAbsent(
        nodeId,
        id ->
            CompletableFuture.supplyAsync(() -> load(id), loader)
                .completeOnTimeout(null, LOAD_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .handle(
                    (types, failure) -> {
                      if (types == null) {
                        log.warn(
                            "the last-known-good cache did not answer in time; it is not used",
                            "directory",
                            directory(id),
                            "deadline",
                            LOAD_DEADLINE);
                        return new ConcurrentHashMap<>();
                      }
                      return types;
                    }));
  }

  /** Whether anything is cached for {@code nodeId}, without waiting (false while reading). */
  boolean has(String nodeId) {
    return !loaded(nodeId).isEmpty();
  }

  private Map<String, ResourceSet> loaded(String nodeId) {
    Map<String, ResourceSet> types = loading(nodeId).getNow(null);
    return types != null ? types : Map.of();
  }

  /**
   * Envoy acknowledged {@code response} (a state-of-the-world {@code DiscoveryResponse} from the
   * management server) subscribing to {@code subscribed}: merged into the node's set and written,
   * in the background and in order.
   */
  void accepted(String nodeId, byte[] response, List<String> subscribed) {
    worker.execute(
        () -> {
          try {
            ResourceSet received = ResourceSet.of(response);
            Map<String, ResourceSet> types = loading(nodeId).join(); // bounded by the deadline
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

  private Map<String, ResourceSet> load(String nodeId) {
    Map<String, ResourceSet> types = new ConcurrentHashMap<>();
    Path directory = directory(nodeId);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path file : files) {
        try {
          // Only what the relay writes: a regular file (not a link, a FIFO or a device), bounded.
          BasicFileAttributes attributes =
              Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (!attributes.isRegularFile()) {
            throw new IOException("not a regular file");
          }
          if (attributes.size() > MAX_FILE) {
            throw new IOException(
                "larger than " + (MAX_FILE >> 20) + " MiB (" + attributes.size() + " bytes)");
          }
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
    Path file = directory(nodeId).resolve(hash(set.typeUrl()).substring(0, 16) + SUFFIX);
    if (pendingWrites.put(file, bytes.toByteArray()) == null) {
      disk.execute(() -> flush(file));
    }
  }

  /** Writes the latest bytes waiting for {@code file}, on the disk thread. */
  private void flush(Path file) {
    byte[] bytes = pendingWrites.remove(file);
    if (bytes == null) {
      return;
    }
    try {
      Files.createDirectories(
          file.getParent(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      AtomicFiles.write(file, bytes, AtomicFiles.MODE_0600);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "cannot store the last-known-good configuration", "file", file, "error", e.toString());
    }
  }

  private ResourceSet read(Path file, String nodeId) throws IOException {
    byte[] bytes;
    try (java.io.InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes((int) MAX_FILE + 1);
    }
    if (bytes.length > MAX_FILE) {
      throw new IOException("grew beyond " + (MAX_FILE >> 20) + " MiB while read");
    }
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

  /** Waits (briefly) for the writes in flight; a stalled disk is abandoned. */
  @Override
  public void close() {
    worker.shutdown();
    try {
      worker.awaitTermination(2, TimeUnit.SECONDS);
      loader.shutdownNow();
      disk.shutdown();
      if (!disk.awaitTermination(3, TimeUnit.SECONDS)) {
        log.warn("last-known-good cache writes still pending at exit", "directory", root);
        disk.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.meshboot.mesh.serve;

import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.io.Transport;
import dev.meshboot.log.Log;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.NodeKey;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.ServerInterceptors;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * meshboot's control plane: serves a mesh definition to Envoys over ADS (state-of-the-world and
 * delta), one snapshot per node, with java-control-plane. It watches the definition and applies
 * every valid change within a second (an invalid one is refused and logged, the previous one kept),
 * and answers health and metrics ({@link ServeApi}). {@code meshboot mesh serve} runs one
 * standalone; {@code meshboot run} with {@code MESHBOOT_MESH} embeds one serving its own node over
 * a unix socket.
 */
public final class MeshServer implements AutoCloseable {

  private static final Log log = Log.of(MeshServer.class);

  /** A quiet time after a change before it is loaded (editors write a file in several steps). */
  static final Duration QUIET = Duration.ofMillis(150);

  /** The longest a change waits for the writes around it to stop. */
  static final Duration MOST = Duration.ofMillis(500);

  /** How often the files are looked at, for changes the kernel does not report. */
  static final Duration CHECK = Duration.ofSeconds(2);

  /**
   * What to serve and where.
   *
   * @param definition the directory (or file) of App Mesh resource definitions
   * @param listen where Envoys connect: TCP (port 0: any) or a unix socket
   * @param tls TLS on a TCP listener
   * @param admin where {@code /live}, {@code /ready}, {@code /status} and {@code /stats/prometheus}
   *     answer
   */
  public record Options(
      Path definition, SocketEndpoint listen, Optional<Tls> tls, Optional<SocketEndpoint> admin) {

    public Options {
      if (tls.isPresent() && !(listen instanceof SocketEndpoint.Tcp)) {
        throw new IllegalArgumentException("TLS is for a TCP listener, not " + listen);
      }
    }
  }

  private final Options options;
  private final ServeStats stats = new ServeStats();
  private final MeshCache cache = new MeshCache(stats);
  private final ServeReport report;
  private final Reloader reloader;
  private final ScheduledExecutorService timer;
  private final ExecutorService calls;
  private final List<AutoCloseable> owned = new ArrayList<>();
  private volatile boolean closing;
  private @Nullable AdsServer ads;
  private @Nullable ServeApi api;

  private MeshServer(Options options, MeshSource source, Clock clock) {
    this.options = options;
    this.report = new ServeReport(options.definition(), cache, stats);
    this.reloader = new Reloader(options.definition(), source, cache, stats, clock);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("meshboot-mesh-reload").daemon(true).factory());
    this.calls =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("meshboot-mesh-", 0).factory());
  }

  /**
   * Loads the definition and serves it on {@code transport}'s event loop.
   *
   * @throws MeshException when the definition is invalid (every error)
   * @throws IOException when a socket cannot be bound, the TLS files cannot be used, or the
   *     definition cannot be watched
   */
  public static MeshServer start(Options options, MeshSource source, Transport transport)
      throws IOException {
    return start(options, source, transport, Clock.systemUTC());
  }

  static MeshServer start(Options options, MeshSource source, Transport transport, Clock clock)
      throws IOException {
    MeshServer server = new MeshServer(options, source, clock);
    try {
      server.open(transport);
      return server;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private void open(Transport transport) throws IOException {
    // Watched before the first load: a change while it loads is loaded again after it.
    Debouncer debouncer = new Debouncer(QUIET, MOST, timer, reloader::reload, System::nanoTime);
    owned.add(DirectoryWatch.start(options.definition(), debouncer::poke, timer, CHECK));
    ServeStats.Applied first = onTimer(reloader::initial);
    StreamGate gate =
        new StreamGate(
            this::undefined,
            stats,
            options.tls().flatMap(Tls::clientCa).isPresent(),
            Clock.systemUTC());
    V3DiscoveryServer discovery = new V3DiscoveryServer(cache.cache());
    ads =
        AdsServer.start(
            transport,
            options.listen(),
            options.tls(),
            ServerInterceptors.intercept(discovery.getAggregatedDiscoveryServiceImpl(), gate),
            calls);
    if (options.admin().isPresent()) {
      api =
          ServeApi.start(
              transport,
              options.admin().get(),
              report,
              () -> !closing && stats.current() != null,
              calls);
    }
    log.info(
        "mesh control plane serving",
        "definition",
        options.definition(),
        "version",
        first.version(),
        "nodes",
        first.nodes(),
        "xds",
        ads.endpoint(),
        "tls",
        options
            .tls()
            .map(t -> t.clientCa().isPresent() ? "client certificates" : "on")
            .orElse("off"),
        "admin",
        api == null ? "off" : api.endpoint());
  }

  private <T> T onTimer(java.util.concurrent.Callable<T> task) throws IOException {
    try {
      return timer.submit(task).get(5, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("loading the definition took more than 5 minutes", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while loading the definition", e);
    }
  }

  /** Why {@code key} is not served, in the words an Envoy refused for it gets. */
  private Optional<String> undefined(NodeKey key) {
    if (cache.serves(key)) {
      return Optional.empty();
    }
    return Optional.of(
        "node "
            + key
            + ": the mesh definition "
            + options.definition()
            + " defines no "
            + key.kind().wrapper()
            + " "
            + key.name()
            + " in mesh "
            + key.mesh()
            + " (meshboot serves "
            + cache.served().size()
            + " nodes; see its /status)");
  }

  /** Where Envoys connect (a TCP port 0 resolved to the port taken). */
  public SocketEndpoint endpoint() {
    return java.util.Objects.requireNonNull(ads, "started").endpoint();
  }

  /** Where the health and metrics API answers, if it was asked for. */
  public Optional<SocketEndpoint> adminEndpoint() {
    return Optional.ofNullable(api).map(ServeApi::endpoint);
  }

  /** Whether the definition served defines {@code node}. */
  public boolean serves(NodeKey node) {
    return cache.serves(node);
  }

  /** The nodes served. */
  public List<NodeKey> nodes() {
    return List.copyOf(cache.served().keySet());
  }

  /** The {@code /status} document, as JSON text. */
  public String status() {
    return report.status().toString();
  }

  /** Stops taking changes and streams, then ends the open streams (Envoys keep what they have). */
  @Override
  public void close() {
    closing = true;
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        log.warn("cannot close", "what", owned.get(i), "error", e.toString());
      }
    }
    if (ads != null) {
      ads.close();
    }
    if (api != null) {
      api.close();
    }
    timer.shutdownNow();
    calls.shutdownNow();
    try {
      timer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.meshboot.cli;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.Environment;
import dev.meshboot.io.Addresses;
import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.io.Transport;
import dev.meshboot.log.LibraryLogs;
import dev.meshboot.log.Log;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.serve.MeshServer;
import dev.meshboot.mesh.serve.MeshSource;
import dev.meshboot.mesh.serve.Tls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code meshboot mesh serve DIR}: a standalone control plane serving the definition in {@code DIR}
 * to Envoys over ADS until SIGTERM or SIGINT, then stopping gracefully (no new streams; open ones
 * ended after a moment: Envoy keeps its configuration and reconnects).
 */
final class MeshServeCommand {

  static final String USAGE =
      "mesh serve DIR [--listen HOST:PORT | --socket PATH] [--tls-cert FILE --tls-key FILE"
          + " [--client-ca FILE]] [--admin HOST:PORT]";

  static final List<String[]> OPTIONS =
      List.of(
          new String[] {
            "--listen <ip:port>",
            "TCP address Envoys connect to (default 127.0.0.1:15010; 0.0.0.0:15010 for others)"
          },
          new String[] {
            "--socket <path>", "a unix socket (mode 0600) instead of TCP (default: TCP)"
          },
          new String[] {
            "--tls-cert <file>", "TLS: the server's certificate chain (PEM; default: plain TCP)"
          },
          new String[] {"--tls-key <file>", "TLS: its private key (PEM, PKCS#8)"},
          new String[] {
            "--client-ca <file>",
            "require client certificates from this CA; each node receives only its own configuration"
          },
          new String[] {
            "--admin <ip:port>",
            "serve /live, /ready, /status and /stats/prometheus there (default: not served)"
          },
          new String[] {"--stacktrace", "print stack traces of errors"},
          new String[] {"-h, --help", "show this help"});

  /** The default xDS address: loopback, as every meshboot listener by default. */
  static final SocketEndpoint.Tcp DEFAULT_LISTEN = new SocketEndpoint.Tcp("127.0.0.1", 15010);

  private static final Log log = Log.of(MeshServeCommand.class);

  private static final Pattern IP_PORT =
      Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([0-9.]+)):(\\d{1,5})");

  private final Main.Context context;

  MeshServeCommand(Main.Context context) {
    this.context = context;
  }

  ExitCode call(List<String> argv) {
    Args args =
        Args.parse(
            "mesh",
            argv,
            Set.of("--listen", "--socket", "--tls-cert", "--tls-key", "--client-ca", "--admin"),
            Set.of("-h", "--help", "--stacktrace"),
            false);
    if (args.flag("-h", "--help")) {
      context
          .out()
          .print(
              Help.command(
                  new Help.Spec(
                      "mesh serve",
                      USAGE,
                      "Serves the App Mesh resource definitions in DIR to Envoys over ADS (state-of-the-world"
                          + "\nand delta), each Envoy what its node id names. DIR is watched: a valid change reaches"
                          + "\nevery connected Envoy within a second, an invalid one is refused and logged while the"
                          + "\nprevious definition is served. Runs until SIGTERM or SIGINT.",
                      OPTIONS,
                      false)));
      return ExitCode.OK;
    }
    MeshServer.Options options = options(args);
    MeshSource source = context.mesh();
    configureLog();
    CountDownLatch stop = new CountDownLatch(1);
    Signals.onShutdown(stop::countDown);
    try (Transport transport = Transport.open();
        MeshServer server = MeshServer.start(options, source, transport)) {
      context.out().println("serving " + options.definition() + " on " + server.endpoint());
      context.out().flush();
      stop.await();
      log.info("stopping the mesh control plane");
    } catch (MeshException e) {
      return MeshCommand.refused(context.err(), options.definition(), e);
    } catch (IOException e) {
      throw new Main.OutputException("mesh serve: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ExitCode.OK;
  }

  private MeshServer.Options options(Args args) {
    List<String> positional = args.positional();
    if (positional.size() != 1) {
      throw new UsageException(
          "mesh", "mesh serve takes one definition directory (or file), not " + positional);
    }
    Path definition = Path.of(positional.get(0)).toAbsolutePath().normalize();
    if (!Files.isDirectory(definition) && !Files.isRegularFile(definition)) {
      throw new ConfigException(
          definition.toString(),
          "mesh serve: " + definition + " is not a directory or file of definitions");
    }
    String listen = args.value("--listen");
    String socket = args.value("--socket");
    if (listen != null && socket != null) {
      throw new UsageException("mesh", "--listen and --socket exclude each other");
    }
    String cert = args.value("--tls-cert");
    String key = args.value("--tls-key");
    String clientCa = args.value("--client-ca");
    if ((cert == null) != (key == null)) {
      throw new UsageException("mesh", "--tls-cert and --tls-key go together");
    }
    if (clientCa != null && cert == null) {
      throw new UsageException("mesh", "--client-ca needs --tls-cert and --tls-key");
    }
    if (cert != null && socket != null) {
      throw new UsageException("mesh", "TLS is for --listen; a unix socket is private already");
    }
    Optional<Tls> tls =
        cert == null
            ? Optional.empty()
            : Optional.of(
                new Tls(
                    readable("--tls-cert", cert),
                    readable("--tls-key", java.util.Objects.requireNonNull(key)),
                    Optional.ofNullable(clientCa).map(ca -> readable("--client-ca", ca))));
    SocketEndpoint endpoint =
        socket != null
            ? socket(socket)
            : listen != null ? ipPort("--listen", listen) : DEFAULT_LISTEN;
    String admin = args.value("--admin");
    return new MeshServer.Options(
        definition,
        endpoint,
        tls,
        admin == null ? Optional.empty() : Optional.of(ipPort("--admin", admin)));
  }

  private void configureLog() {
    LibraryLogs.install();
    Generation.configureLog(new ConfigReader(Environment.of(context.environment())));
  }

  private static Path readable(String option, String file) {
    Path path = Path.of(file);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new ConfigException(option, option + ": " + file + " is not a readable file");
    }
    return path;
  }

  private static SocketEndpoint.Unix socket(String path) {
    Path socket = Path.of(path).toAbsolutePath();
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length > 107) {
      throw new UsageException(
          "mesh", "--socket: a unix socket path has at most 107 bytes: " + socket);
    }
    return new SocketEndpoint.Unix(socket);
  }

  /** {@code ip:port} or {@code [ipv6]:port}, an IP literal (a listener binds an address). */
  static SocketEndpoint.Tcp ipPort(String option, String value) {
    Matcher matcher = IP_PORT.matcher(value);
    @Nullable String ip = null;
    int port = -1;
    if (matcher.matches()) {
      ip = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
      port = Integer.parseInt(matcher.group(3));
    }
    if (ip == null || !Addresses.isIpLiteral(ip) || port < 0 || port > 65535) {
      throw new UsageException(
          "mesh", option + ": expected IP:PORT (e.g. 0.0.0.0:15010, [::]:15010), not " + value);
    }
    return new SocketEndpoint.Tcp(ip, port);
  }
}

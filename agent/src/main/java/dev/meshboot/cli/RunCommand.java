package dev.meshboot.cli;

import dev.meshboot.aws.Credentials;
import dev.meshboot.aws.TaskPeers;
import dev.meshboot.bootstrap.BootstrapWriter;
import dev.meshboot.bootstrap.EnvoySchema;
import dev.meshboot.bootstrap.SideFile;
import dev.meshboot.config.AdminConfig;
import dev.meshboot.config.ApiConfig;
import dev.meshboot.config.ConfigException;
import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.Environment;
import dev.meshboot.config.ProcessConfig;
import dev.meshboot.config.RuntimeConfig;
import dev.meshboot.config.Variables;
import dev.meshboot.envoy.AdminClient;
import dev.meshboot.envoy.AdoptedProcess;
import dev.meshboot.envoy.Children;
import dev.meshboot.envoy.Concurrency;
import dev.meshboot.envoy.EnvoyArgs;
import dev.meshboot.envoy.EnvoyBinary;
import dev.meshboot.envoy.EnvoyEnvironment;
import dev.meshboot.envoy.OomKills;
import dev.meshboot.envoy.ParentDeath;
import dev.meshboot.envoy.Posix;
import dev.meshboot.envoy.Reaper;
import dev.meshboot.envoy.RestartPolicy;
import dev.meshboot.envoy.SessionLauncher;
import dev.meshboot.envoy.Supervisor;
import dev.meshboot.health.HealthPoller;
import dev.meshboot.health.HealthState;
import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.io.Transport;
import dev.meshboot.log.Log;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.Translation;
import dev.meshboot.mesh.serve.MeshServer;
import dev.meshboot.mesh.serve.MeshSource;
import dev.meshboot.server.ManagementApi;
import dev.meshboot.xds.AwsSigning;
import dev.meshboot.xds.LastGoodCache;
import dev.meshboot.xds.XdsRelay;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * {@code meshboot run [-- envoy args]}: writes the bootstrap, then starts Envoy and supervises it
 * until SIGTERM/SIGINT, which drain and stop it.
 */
final class RunCommand implements Main.Command {

  static final Help.Spec SPEC =
      new Help.Spec(
          "run",
          "run [--env-file FILE] [variable options] [-- extra Envoy arguments]",
          "Writes the bootstrap to MESHBOOT_BOOTSTRAP_PATH, starts Envoy with the contract's command"
              + "\nline, forwards its output, restarts it with backoff when it dies, and on SIGTERM or"
              + "\nSIGINT drains its inbound listeners and stops it (a second signal stops it at once).",
          Generation.COMMON_OPTIONS,
          true);

  private static final Log log = Log.of(RunCommand.class);

  /** The shortest drain wait, even when no connection is left. */
  static final Duration MIN_DRAIN = Duration.ofSeconds(1);

  /** How long each of /quitquitquit and SIGTERM may take before the next, harder step. */
  static final Duration STEP_TIMEOUT = Duration.ofSeconds(5);

  /** One task metadata request during a task-aware stop; the endpoint is local to the task. */
  static final Duration TASK_METADATA_TIMEOUT = Duration.ofMillis(500);

  /** How often a task-aware stop asks whether the task's other containers still run. */
  static final Duration TASK_POLL_INTERVAL = Duration.ofMillis(250);

  private final Main.Context context;

  RunCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public ExitCode call(List<String> argv) {
    int separator = argv.indexOf("--");
    List<String> own = separator < 0 ? argv : argv.subList(0, separator);
    List<String> extra = separator < 0 ? List.of() : argv.subList(separator + 1, argv.size());
    Args args =
        Args.parse("run", own, Set.of("--env-file"), Set.of("--stacktrace", "-h", "--help"), true);
    if (args.flag("-h", "--help")) {
      context.out().print(Help.command(SPEC));
      return ExitCode.OK;
    }
    if (!args.positional().isEmpty()) {
      throw new UsageException(
          "run",
          "unexpected argument \"" + args.positional().get(0) + "\" (Envoy arguments go after --)");
    }
    // The session owns everything this run starts; signals are its from the first moment, so
    // that a SIGTERM while starting stops what has started (the renderer too) and nothing more.
    try (RunSession session = new RunSession()) {
      Signals.onShutdown(session::requestStop);
      return run(session, args, own, extra);
    }
  }

  private ExitCode run(RunSession session, Args args, List<String> own, List<String> extra) {
    // The native calls (the reaper's; waiting for an Envoy the launcher started), linked on the
    // meshboot-native thread below.
    CompletableFuture<Optional<Posix>> posix = new CompletableFuture<>();
    // The Envoy bin/meshboot started from a launch record before it became this JVM, if it did,
    // is this run's from the first moment: checked below against what this start would run,
    // replaced if it differs, stopped if the run ends first.
    LaunchedEnvoy launched = LaunchedEnvoy.adopt(context.environment(), context.children(), posix);
    session.own("envoy started by the launcher", launched.owner());
    if (launched.recording()) {
      dev.meshboot.config.InputFiles.remember(); // what this start is made from, for the record
    }
    // Rendering loads the Envoy schema's protobuf classes (thousands of them), which a JVM never
    // unloads: a short-lived child meshboot renders, so that the long-running supervisor stays
    // small. Where this program cannot start itself again (in-process tests), it renders itself.
    Optional<List<String>> self = renderCommand();
    Generation generation =
        new Generation(
            context,
            args,
            self.isPresent() ? Optional.empty() : Optional.of(EnvoySchema.Scope.CORE));
    ProcessConfig process = ProcessConfig.from(generation.environment());
    // An empty ENVOY_CONFIG_FILE gets the generated bootstrap, as App Mesh's agent wrote it there.
    Path bootstrapPath =
        Generation.emptyConfigFile(generation.environment()).orElse(process.bootstrapPath());
    RuntimeConfig runtime = RuntimeConfig.from(generation.environment());
    AdminConfig admin = AdminConfig.from(generation.environment());
    ApiConfig api = ApiConfig.from(generation.environment());
    EnvoyBinary envoy =
        generation
            .envoy()
            .orElseThrow(
                () ->
                    new Main.EnvoyFailedException(
                        "no Envoy binary to run: set ENVOY_BIN, or put envoy on PATH"));
    // What Envoy may see of meshboot's environment depends on its mode, which the written
    // bootstrap says; until then (Envoy does not start before) nothing of the credentials.
    AtomicReference<Map<String, String>> envoyEnvironment =
        new AtomicReference<>(EnvoyEnvironment.of(context.environment(), false));
    // Envoy in a session of its own: a terminal's Ctrl-C reaches meshboot, which drains Envoy;
    // and with the parent-death signal, so that Envoy dies with meshboot even on SIGKILL. Asking
    // setpriv whether it can (a process) happens on a thread of their own, beside the rest of the
    // start, and so does linking the reaper's native calls (~0.1 s), after it; Envoy's launch
    // waits for the first if it comes first.
    CompletableFuture<Supervisor.Launcher> launcher = new CompletableFuture<>();
    // the launch record, written once this run has started an Envoy of its own
    AtomicReference<Runnable> afterFirstLaunch = new AtomicReference<>(() -> {});
    CompletableFuture<List<String>> launchPrefix = new CompletableFuture<>();
    Thread.ofPlatform()
        .name("meshboot-native")
        .start(
            () -> {
              try {
                String path = context.environment().getOrDefault("PATH", "");
                List<String> prefix = new ArrayList<>(SessionLauncher.prefix(path));
                prefix.addAll(ParentDeath.prefix(path, context.children()));
                launchPrefix.complete(List.copyOf(prefix));
                launcher.complete(
                    SessionLauncher.of(context.children(), envoyEnvironment::get, prefix));
                // Orphans of Envoy's children come to meshboot (subreaper, or PID 1 in a
                // container) and are reaped; the processes this run waits for itself
                // (context.children()) are left to it.
                Optional<Posix> calls = Posix.load();
                posix.complete(calls);
                if (calls.isPresent() && !session.stopRequested()) {
                  session.own("reaper", Reaper.start(calls.get(), context.children()));
                }
              } catch (RuntimeException e) {
                launchPrefix.completeExceptionally(e);
                launcher.completeExceptionally(e);
              } finally {
                posix.complete(Optional.empty()); // whoever waits must not wait for ever
              }
            });
    // A user's whole bootstrap validated by an earlier start (same content, meshboot and Envoy)
    // is written as it was then: no renderer, no schema. Otherwise the renderer runs while this
    // process gets ready to supervise: Envoy starts as soon as the bootstrap is written.
    boolean remembered =
        self.isPresent()
            && writeRemembered(
                generation,
                envoy,
                bootstrapPath,
                () -> launched.replace("the bootstrap it was started with is not this start's"));
    Optional<Process> renderer = Optional.empty();
    // With an adopted Envoy the renderer writes beside the record, to be compared with what runs.
    Optional<Path> check = launched.checkFile(bootstrapPath);
    Optional<Path> report = launched.reportFile();
    if (self.isPresent() && !remembered) {
      Process started =
          startRenderer(
              context.children(),
              self.get(),
              own,
              check.orElse(bootstrapPath),
              generation.environment().fallbacksSoFar(),
              report);
      // gone already once rendered; killed when the run stops or fails first
      session.own("renderer", started::destroyForcibly);
      session.onStop(started::destroyForcibly);
      renderer = Optional.of(started);
    }
    // Netty (the event loop, the management API, the health poller) is loaded and started on a
    // thread of its own, beside the renderer and Envoy rather than before them (issue #15).
    CompletableFuture<Transport> transport = new CompletableFuture<>();
    // Envoy's admin where the variables put it, until the written bootstrap says otherwise (a
    // user's whole bootstrap may have its admin elsewhere: drain, readiness and stop need it).
    AtomicReference<SocketEndpoint> adminEndpoint = new AtomicReference<>(admin.endpoint());
    AdminClient adminClient = new AdminClient(transport::join, adminEndpoint::get);
    // Started once the bootstrap exists, and only if Envoy's ADS goes to it (RelayTarget).
    AtomicReference<@Nullable XdsRelay> relay = new AtomicReference<>();
    OptionalInt concurrency =
        runtime.concurrency().isPresent()
            ? runtime.concurrency()
            : Concurrency.fromCgroup(Path.of("/sys/fs/cgroup"));
    List<String> command =
        EnvoyArgs.of(envoy.path(), bootstrapPath, runtime.logLevel(), concurrency, process, extra);
    Supervisor supervisor =
        new Supervisor(
            command,
            argv -> {
              AdoptedProcess first = launched.take();
              if (first != null) {
                return first;
              }
              Process started = launcher.join().start(argv);
              afterFirstLaunch.getAndSet(() -> {}).run();
              return started;
            },
            new RestartPolicy(
                process.restarts(),
                process.backoff(),
                process.maxBackoff(),
                process.healthyReset(),
                () -> ThreadLocalRandom.current().nextDouble()),
            Optional.of(adminClient),
            new OomKills(Path.of("/sys/fs/cgroup/memory.events")),
            new Supervisor.Shutdown(process.drainTime(), MIN_DRAIN, STEP_TIMEOUT),
            Clock.systemUTC(),
            context.out(),
            context.err());
    // A stop requested before this point reaches the supervisor now: Envoy is not started.
    session.onStop(stopAction(generation.environment(), process.drainTime(), supervisor));
    if (stoppedEarly(session)) {
      return ExitCode.OK;
    }
    HealthState health = new HealthState(api.disconnectedTimeout(), Instant.now());
    AtomicReference<@Nullable RuntimeException> servicesFailed = new AtomicReference<>();
    Thread services =
        Thread.ofPlatform()
            .name("meshboot-services")
            .start(
                () -> {
                  try {
                    // Netty, gRPC and the AWS SDK log through java.util.logging: into meshboot's
                    // log, from before the first of them is loaded
                    dev.meshboot.log.LibraryLogs.install();
                    transport.complete(session.own("event loop", Transport.open()));
                    HealthPoller poller =
                        session.own(
                            "health poller",
                            new HealthPoller(
                                    adminClient,
                                    supervisor,
                                    health,
                                    api.pollInterval(),
                                    Clock.systemUTC())
                                .start());
                    supervisor.onExit(poller::wake);
                    if (api.served() && !session.stopRequested()) {
                      session.own(
                          "management API",
                          ManagementApi.start(
                              transport.join(),
                              api.endpoint(),
                              supervisor,
                              poller,
                              adminClient,
                              runtime.logLevel(),
                              api.loggingReset(),
                              Clock.systemUTC(),
                              () -> Optional.ofNullable(relay.get()),
                              session::requestStop));
                    }
                  } catch (IOException e) {
                    // the run stops: a sidecar whose health cannot be asked is not started
                    servicesFailed.set(
                        new Main.OutputException(
                            "cannot serve the management API (APPNET_AGENT_ADMIN_MODE): "
                                + e.getMessage(),
                            e));
                    session.requestStop();
                  } catch (RuntimeException e) {
                    // a session that stopped while these started refuses them: no failure then
                    if (!(e instanceof IllegalStateException && session.stopRequested())) {
                      servicesFailed.set(e);
                      session.requestStop();
                    }
                  } finally {
                    // whoever waits for the event loop must not wait for ever
                    transport.completeExceptionally(
                        new IllegalStateException("the run stopped before its event loop opened"));
                  }
                });
    Optional<String> rendererReport = Optional.empty();
    boolean recordable = true;
    if (renderer.isPresent()) {
      ExitCode rendered = awaitRenderer(renderer.get());
      if (stoppedEarly(session)) {
        return ExitCode.OK;
      }
      if (rendered != ExitCode.OK) {
        return rendered;
      }
      if (check.isPresent()) {
        launched.compare(check.get(), bootstrapPath);
      }
      if (report.isPresent()) {
        // a renderer that wrote no report read what no record can name: none is written
        rendererReport = LaunchedEnvoy.readReport(report.get());
        recordable = rendererReport.isPresent();
      }
    } else if (!remembered) {
      Generation.Result result = generation.render();
      if (stoppedEarly(session)) {
        return ExitCode.OK;
      }
      write(bootstrapPath, result);
    }
    // The written bootstrap says whether Envoy uses the relay, and where the relay forwards (a
    // static ENVOY_CONFIG_FILE or a direct connection needs neither the relay nor credentials),
    // whether Envoy needs AWS credentials itself, and which configuration readiness waits for.
    WrittenBootstrap written = WrittenBootstrap.read(bootstrapPath);
    if (written.admin().isPresent() && !written.admin().get().equals(adminEndpoint.get())) {
      log.info(
          "envoy's admin is where the bootstrap puts it, not where the admin variables say",
          "admin",
          written.admin().get());
      adminEndpoint.set(written.admin().get());
    }
    envoyEnvironment.set(EnvoyEnvironment.of(context.environment(), written.envoySigns()));
    health.expect(written.listenersFromXds(), written.clustersFromXds());
    if (stoppedEarly(session)) {
      return ExitCode.OK;
    }
    if (written.relay().isPresent()) {
      relay.set(
          startRelay(
              session,
              transport.join(),
              written.relay().get(),
              generation.environment(),
              generation.xdsCacheDir(),
              written.relay().get().caFile().or(generation::xdsCaFile)));
    }
    if (written.mesh().isPresent()) {
      startMesh(session, transport.join(), written.mesh().get());
    }
    List<String> launchedArgv = new ArrayList<>(launchPrefix.join());
    launchedArgv.addAll(command);
    launched.keepIfSame(launchedArgv, envoyEnvironment.get(), written.relay().isPresent());
    if (recordable && written.relay().isEmpty()) {
      Optional<String> reported = rendererReport;
      afterFirstLaunch.set(
          () ->
              launched.record(
                  bootstrapPath, envoy.path(), launchedArgv, envoyEnvironment.get(), reported));
    }
    // SO_REUSEPORT on the admin (the metrics listener shares its port): no other Envoy there
    if (written.adminReusesPort()
        && written.admin().orElse(null) instanceof SocketEndpoint.Tcp tcp) {
      if (launched.holding()) {
        AdminPort.requireSole(tcp, launched.pid());
      } else {
        AdminPort.requireFree(tcp);
      }
    }
    if (!launched.holding()) {
      log.info("starting envoy", "command", String.join(" ", command));
    }
    session.running();
    Supervisor.Outcome outcome = supervisor.run();
    awaitQuietly(services);
    @Nullable RuntimeException failed = servicesFailed.get();
    if (failed != null) {
      throw failed;
    }
    return switch (outcome) {
      case STOPPED -> ExitCode.OK;
      case RESTARTS_EXHAUSTED -> ExitCode.RESTARTS_EXHAUSTED;
      case CONFIG_REJECTED -> ExitCode.ENVOY_REJECTED;
      case NOT_STARTED -> ExitCode.ENVOY_FAILED;
    };
  }

  /**
   * Writes the bootstrap an earlier start validated and wrote for the user's whole bootstrap
   * (ENVOY_CONFIG_FILE), if its content, meshboot and Envoy are unchanged ({@link
   * ValidatedConfigFiles}); false when the renderer must validate it. The file is left alone when
   * it already holds that bootstrap; {@code replaced} runs before it is written otherwise (an Envoy
   * the launcher started with the file as it was must go).
   */
  private static boolean writeRemembered(
      Generation generation, EnvoyBinary envoy, Path bootstrapPath, Runnable replaced) {
    Optional<Path> whole = generation.wholeConfigFile();
    Optional<ValidatedConfigFiles> validated = generation.validatedConfigFiles();
    if (whole.isEmpty() || validated.isEmpty()) {
      return false;
    }
    Optional<ValidatedConfigFiles.Key> key =
        ValidatedConfigFiles.key(
            whole.get(),
            Generation.readConfigFile(whole.get()),
            BootstrapWriter.Format.forFile(bootstrapPath).name(),
            Optional.of(envoy.path()));
    Optional<String> text = key.flatMap(validated.get()::get);
    if (text.isEmpty()) {
      return false;
    }
    try {
      if (text.get().equals(LaunchedEnvoy.currentText(bootstrapPath).orElse(null))) {
        log.info(
            "bootstrap in place; ENVOY_CONFIG_FILE validated by an earlier start (same content,"
                + " meshboot and Envoy)",
            "file",
            bootstrapPath,
            "from",
            whole.get());
        return true;
      }
      replaced.run();
      BootstrapWriter.writeAtomically(bootstrapPath, text.get());
    } catch (IOException e) {
      throw new Main.OutputException(
          "cannot write the bootstrap " + bootstrapPath + ": " + e.getMessage(), e);
    }
    log.info(
        "wrote bootstrap; ENVOY_CONFIG_FILE validated by an earlier start (same content, meshboot"
            + " and Envoy)",
        "file",
        bootstrapPath,
        "from",
        whole.get());
    return true;
  }

  /** Waits for a thread that ends on its own once the run stops. */
  private static void awaitQuietly(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The supervisor's shutdown, behind a wait for the task's other containers in an ECS task (see
   * {@link TaskAwareStop}); a stop before Envoy runs does not wait.
   */
  private static Runnable stopAction(
      Environment environment, Duration drainTime, Supervisor supervisor) {
    if (environment.given(Variables.ECS_CONTAINER_METADATA_URI_V4).isEmpty()) {
      return supervisor::shutdown;
    }
    TaskAwareStop taskAware =
        new TaskAwareStop(
            () -> {
              URI base = TaskPeers.endpoint(environment).orElseThrow();
              TaskPeers peers = TaskPeers.of(base, TASK_METADATA_TIMEOUT);
              return peers::running;
            },
            drainTime,
            TASK_POLL_INTERVAL,
            supervisor::shutdown);
    return () -> {
      if (supervisor.pid().isEmpty()) {
        supervisor.shutdown();
      } else {
        taskAware.request();
      }
    };
  }

  /** Whether a stop came while starting; nothing more is started then. */
  private static boolean stoppedEarly(RunSession session) {
    if (session.stopRequested()) {
      log.info("stopped before Envoy started");
      return true;
    }
    return false;
  }

  /**
   * The relay Envoy's ADS connects to in relay mode, owned by {@code session} with the credentials
   * that sign its upstream streams (when the bootstrap names a region: App Mesh endpoints always
   * have one); it keeps Envoy's last-known-good configuration in {@code cacheDir} when given.
   */
  private static XdsRelay startRelay(
      RunSession session,
      Transport transport,
      RelayTarget target,
      Environment environment,
      Optional<Path> cacheDir,
      Optional<Path> caFile) {
    Optional<XdsRelay.Signing> signing = Optional.empty();
    Optional<CompletableFuture<Credentials>> credentials = Optional.empty();
    if (target.region().isPresent()) {
      // The SDK's providers take ~200 ms to build in a fresh JVM: built beside the relay's start
      // (which connects meanwhile), not before it; a missing source still fails the run below,
      // before Envoy starts.
      CompletableFuture<Credentials> building =
          CompletableFuture.supplyAsync(
              () -> Credentials.provider(environment),
              task -> Thread.ofVirtual().name("meshboot-credentials").start(task));
      session.own(
          "AWS credentials",
          () -> {
            var unused = building.thenAccept(Credentials::close);
          });
      credentials = Optional.of(building);
      signing = Optional.of(AwsSigning.of(target.region().get(), target.signingName(), building));
    } else {
      log.warn(
          "xDS relay without signing: the bootstrap's meshboot.xds_relay metadata names no region"
              + " (render it with AWS_REGION set to sign)");
    }
    if (cacheDir.isEmpty()) {
      log.warn(
          "no last-known-good xDS cache: Envoy cannot start while the management endpoint is down",
          "why",
          "MESHBOOT_XDS_CACHE=false, or no MESHBOOT_XDS_CACHE_DIR, MESHBOOT_CACHE_DIR,"
              + " CACHE_DIRECTORY, XDG_CACHE_HOME or HOME");
    }
    String endpoint = target.host() + ":" + target.port();
    try {
      XdsRelay relay =
          session.own(
              "xDS relay",
              XdsRelay.start(
                  transport,
                  target.socket(),
                  new XdsRelay.Upstream(
                      target.host(), target.port(), target.tls(), caFile, signing),
                  cacheDir.map(dir -> new LastGoodCache(dir, endpoint, Clock.systemUTC())),
                  Clock.systemUTC()));
      credentials.ifPresent(
          building -> {
            try {
              building.join();
            } catch (CompletionException e) {
              throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
          });
      return relay;
    } catch (IOException e) {
      throw new Main.OutputException(
          "cannot start the xDS relay on "
              + target.socket()
              + " (the bootstrap's meshboot_xds_relay pipe, MESHBOOT_XDS_RELAY_SOCKET when"
              + " rendered): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The embedded control plane Envoy's ADS connects to with {@code MESHBOOT_MESH}, owned by {@code
   * session}: it serves this Envoy's node only, and refuses a definition (at start: the run exits
   * 3) that does not define it.
   */
  private void startMesh(RunSession session, Transport transport, MeshTarget target) {
    MeshSource source = context.mesh();
    MeshSource thisNode =
        new MeshSource(
            source.loader(), definition -> onlyNode(source.translator().apply(definition), target));
    try {
      session.own(
          "mesh control plane",
          MeshServer.start(
              new MeshServer.Options(
                  target.definition(),
                  new SocketEndpoint.Unix(target.socket()),
                  Optional.empty(),
                  Optional.empty()),
              thisNode,
              transport));
    } catch (MeshException e) {
      throw new ConfigException(
          Variables.MESHBOOT_MESH.name(),
          "MESHBOOT_MESH: cannot serve " + target.definition() + ": " + e.getMessage());
    } catch (IOException e) {
      throw new Main.OutputException(
          "cannot serve the mesh definition on "
              + target.socket()
              + " (the bootstrap's meshboot_xds pipe, MESHBOOT_MESH_SOCKET when rendered): "
              + e.getMessage(),
          e);
    }
  }

  /** This node's translation alone; a definition that does not define it is refused. */
  static Translation onlyNode(Translation all, MeshTarget target) {
    NodeKey mine = target.node();
    List<NodeKey> nodes = all.nodes();
    if (!nodes.contains(mine)) {
      List<String> defined = nodes.stream().map(NodeKey::toString).sorted().toList();
      throw new MeshException(
          List.of(
              "the definition "
                  + target.definition()
                  + " defines no "
                  + mine.kind().wrapper()
                  + " "
                  + mine.name()
                  + " in mesh "
                  + mine.mesh()
                  + ", the node this Envoy runs as (APPMESH_RESOURCE_ARN); it defines "
                  + MeshCommand.listed(defined)));
    }
    return new Translation() {
      @Override
      public List<NodeKey> nodes() {
        return List.of(mine);
      }

      @Override
      public Optional<NodeResources> node(NodeKey key) {
        return key.equals(mine) ? all.node(key) : Optional.empty();
      }

      @Override
      public Set<NodeKey> affectedBy(Kind kind, String mesh, String name) {
        return all.affectedBy(kind, mesh, name).contains(mine) ? Set.of(mine) : Set.of();
      }
    };
  }

  /**
   * How to start a meshboot that renders: the launcher's {@code MESHBOOT_RENDER_COMMAND} (one word
   * per line: the renderer's JVM options differ from the supervisor's, see bin/meshboot), else this
   * process's own command line.
   */
  private Optional<List<String>> renderCommand() {
    String given = context.environment().getOrDefault("MESHBOOT_RENDER_COMMAND", "");
    List<String> words =
        java.util.Arrays.stream(given.split("\n", -1)).filter(word -> !word.isEmpty()).toList();
    return words.isEmpty() ? context.self() : Optional.of(words);
  }

  /**
   * Starts {@code meshboot bootstrap --output file} with this command's options, in a child JVM;
   * its output and errors are this process's. Registered in {@code children}: the reaper must not
   * take its exit status.
   */
  private static Process startRenderer(
      Children children,
      List<String> self,
      List<String> options,
      Path file,
      String fallbacksWarned,
      Optional<Path> report) {
    List<String> command = new ArrayList<>(self);
    command.add("bootstrap");
    command.addAll(options);
    command.add("--output");
    command.add(file.toString());
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    // The lenient variables this process already warned about: the renderer does not repeat it.
    builder.environment().put(ConfigReader.WARNED, fallbacksWarned);
    // The launcher's Envoy is this process's child, not the renderer's; the renderer reports the
    // files it read, for the launch record.
    builder.environment().remove(LaunchRecord.ADOPT);
    report.ifPresent(path -> builder.environment().put(LaunchRecord.REPORT, path.toString()));
    try {
      return children.launch(builder);
    } catch (IOException e) {
      throw new Main.OutputException("cannot start meshboot to render the bootstrap: " + e, e);
    }
  }

  /** The renderer's exit code: meshboot's own exit codes, passed on. */
  private static ExitCode awaitRenderer(Process renderer) {
    try {
      return ExitCode.of(renderer.waitFor());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Main.OutputException(
          "interrupted while rendering the bootstrap", new IOException(e));
    }
  }

  /** Writes a file the bootstrap references; an error names the variable that names it. */
  static void writeSideFile(SideFile side) {
    try {
      BootstrapWriter.writeAtomically(side.path(), side.content());
    } catch (IOException e) {
      throw new Main.OutputException(
          side.variable() + ": cannot write " + side.path() + ": " + e.getMessage(), e);
    }
  }

  private static void write(Path file, Generation.Result result) {
    try {
      for (SideFile side : result.rendered().sideFiles()) {
        writeSideFile(side);
      }
      BootstrapWriter.writeAtomically(
          file,
          BootstrapWriter.text(
              result.rendered().bootstrap(),
              result.schema(),
              BootstrapWriter.Format.forFile(file)));
      log.info("wrote bootstrap", "file", file);
    } catch (IOException e) {
      throw new Main.OutputException("cannot write the bootstrap " + file + ": " + e, e);
    }
  }
}

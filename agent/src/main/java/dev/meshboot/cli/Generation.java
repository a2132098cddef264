package dev.meshboot.cli;

import dev.meshboot.bootstrap.Bootstraps;
import dev.meshboot.bootstrap.EnvoySchema;
import dev.meshboot.bootstrap.Rendered;
import dev.meshboot.config.AgentConfig;
import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.EnvFile;
import dev.meshboot.config.Environment;
import dev.meshboot.config.EnvoyBuild;
import dev.meshboot.config.ProcessConfig;
import dev.meshboot.config.Variables;
import dev.meshboot.config.XdsConfig;
import dev.meshboot.envoy.EnvoyBinary;
import dev.meshboot.envoy.VersionCache;
import dev.meshboot.log.Log;
import dev.meshboot.platform.PlatformMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The steps {@code bootstrap} and {@code validate} share: layer the environment, configure logging,
 * find Envoy, and render the bootstrap (or read the whole-file override).
 */
final class Generation {

  private static final Log log = Log.of(Generation.class);

  /** Options every environment-reading command takes. */
  static final List<String[]> COMMON_OPTIONS =
      List.of(
          new String[] {
            "--env-file <file>",
            "read variables from a Docker-style env file (options win over it, it wins over the environment)"
          },
          new String[] {"--stacktrace", "print stack traces of errors"},
          new String[] {"-h, --help", "show this help"});

  private final Main.Context context;
  private final Environment environment;
  private final ConfigReader reader;
  private Optional<EnvoyBinary> envoy = Optional.empty();
  private boolean envoyLooked;
  private final Optional<EnvoySchema.Preload> schema;
  private Optional<java.util.function.Supplier<Optional<EnvoyBuild>>> envoyBuild;
  private @org.jspecify.annotations.Nullable PlatformMetadata platformMetadata;
  private @org.jspecify.annotations.Nullable PlatformMetadata regionOnly;

  /**
   * Starts building the schema of {@code likely} in the background and reads the environment.
   *
   * @param likely the schema the command will most likely need
   */
  Generation(Main.Context context, Args args, EnvoySchema.Scope likely) {
    this(context, args, Optional.of(likely));
  }

  /**
   * Reads the environment; with {@code likely} empty, the process will not render (no schema is
   * built and Envoy is not probed ahead).
   */
  Generation(Main.Context context, Args args, Optional<EnvoySchema.Scope> likely) {
    this.context = context;
    this.schema = likely.map(EnvoySchema::preload);
    this.environment = environment(context, args);
    this.reader = new ConfigReader(environment);
    configureLog(reader);
    // What envoy --version says decides the auto mode, FIPS, and which of the contract's runtime
    // keys the release removed: asked in the background as soon as the command will render.
    this.envoyBuild =
        likely.isPresent() ? envoy().map(EnvoyBinary::buildInBackground) : Optional.empty();
  }

  /** meshboot's log as MESHBOOT_LOG_LEVEL and MESHBOOT_LOG_FORMAT say. */
  static void configureLog(ConfigReader reader) {
    Log.configure(
        reader.choice(
            Variables.MESHBOOT_LOG_LEVEL,
            Map.of(
                "debug",
                Log.Level.DEBUG,
                "info",
                Log.Level.INFO,
                "warn",
                Log.Level.WARN,
                "error",
                Log.Level.ERROR)),
        reader.choice(Variables.MESHBOOT_LOG_FORMAT, Map.of("text", false, "json", true)));
  }

  /** What {@code envoy --version} says, asked once. */
  private Optional<EnvoyBuild> envoyBuild() {
    if (envoyBuild.isEmpty()) {
      envoyBuild = Optional.of(memo(envoy().flatMap(EnvoyBinary::build)));
    }
    return envoyBuild.get().get();
  }

  private static <T> java.util.function.Supplier<T> memo(T value) {
    return () -> value;
  }

  /** Options over {@code --env-file} over the process environment. */
  static Environment environment(Main.Context context, Args args) {
    String envFile = args.value("--env-file");
    Map<String, String> fromFile = envFile == null ? Map.of() : EnvFile.read(Path.of(envFile));
    return Environment.of(args.variables(), fromFile, context.environment());
  }

  /** The schema of {@code scope}, built in the background if it was the likely one. */
  EnvoySchema schema(EnvoySchema.Scope scope) {
    return schema.isPresent() ? schema.get().get(scope) : EnvoySchema.preload(scope).get(scope);
  }

  Environment environment() {
    return environment;
  }

  /**
   * Where relay mode keeps Envoy's last-known-good configuration: MESHBOOT_XDS_CACHE_DIR, else
   * {@code xds} in the cache directory; empty with MESHBOOT_XDS_CACHE=false or no directory.
   */
  Optional<Path> xdsCacheDir() {
    if (!reader.bool(Variables.MESHBOOT_XDS_CACHE)) {
      return Optional.empty();
    }
    Optional<Path> given = reader.absolutePath(Variables.MESHBOOT_XDS_CACHE_DIR);
    return given.isPresent() ? given : cacheDir().map(dir -> dir.resolve("xds"));
  }

  /**
   * The CA bundle that verifies the management endpoint (MESHBOOT_XDS_CA_FILE); empty: the
   * system's.
   */
  Optional<Path> xdsCaFile() {
    return reader.path(Variables.MESHBOOT_XDS_CA_FILE);
  }

  /**
   * MESHBOOT_CACHE_DIR, else systemd's CacheDirectory= (the first entry of CACHE_DIRECTORY), else
   * $XDG_CACHE_HOME/meshboot, else ~/.cache/meshboot; none without HOME (as bin/meshboot finds it).
   */
  private Optional<Path> cacheDir() {
    Optional<Path> given = reader.absolutePath(Variables.MESHBOOT_CACHE_DIR);
    if (given.isPresent()) {
      return given;
    }
    Map<String, String> process = context.environment();
    String systemd = process.get("CACHE_DIRECTORY");
    if (systemd != null && !systemd.isBlank()) {
      return Optional.of(Path.of(systemd.split(":", 2)[0]));
    }
    String xdg = process.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Optional.of(Path.of(xdg, "meshboot"));
    }
    String home = process.get("HOME");
    return home == null || home.isBlank()
        ? Optional.empty()
        : Optional.of(Path.of(home, ".cache", "meshboot"));
  }

  /** The Envoy binary, looked up once. */
  Optional<EnvoyBinary> envoy() {
    if (!envoyLooked) {
      envoyLooked = true;
      envoy =
          EnvoyBinary.find(
                  reader, context.environment().getOrDefault("PATH", ""), context.processes())
              .map(
                  binary ->
                      cacheDir()
                          .map(dir -> binary.cachingVersionIn(new VersionCache(dir)))
                          .orElse(binary));
      if (envoy.isEmpty()) {
        log.info("no Envoy binary found (set ENVOY_BIN or put envoy on PATH)");
      }
    }
    return envoy;
  }

  /** The metadata services this environment calls for, started on first use. */
  private synchronized PlatformMetadata platformMetadata() {
    if (platformMetadata == null) {
      platformMetadata = PlatformMetadata.start(environment);
    }
    return platformMetadata;
  }

  /**
   * The management connection, resolved as the renderer resolves it; before (or without) a
   * rendering, the region is looked up alone.
   */
  XdsConfig xds() {
    return XdsConfig.resolve(environment, this::envoyBuild, () -> regionSource().region());
  }

  private synchronized PlatformMetadata regionSource() {
    if (platformMetadata != null) {
      return platformMetadata;
    }
    if (regionOnly == null) {
      regionOnly = PlatformMetadata.forRegionOnly(environment);
    }
    return regionOnly;
  }

  /** The bootstrap of this environment, with the schema it was checked against. */
  Result render() {
    Optional<Path> whole = wholeConfigFile();
    if (whole.isPresent()) {
      // A whole bootstrap of the user's: anything but a readable, non-empty regular file is an
      // error (a volume that failed to mount must not go unnoticed), never a generated bootstrap.
      log.info("using the whole bootstrap from ENVOY_CONFIG_FILE", "file", whole.get());
      String content = readConfigFile(whole.get());
      EnvoySchema full = schema(EnvoySchema.Scope.FULL);
      return new Result(
          full,
          Bootstraps.fromText(content, whole.get(), "ENVOY_CONFIG_FILE", full),
          Optional.of(new WholeFile(whole.get(), content)));
    }
    Optional<Path> given = reader.path(Variables.ENVOY_CONFIG_FILE);
    if (given.isPresent()) {
      log.info("ENVOY_CONFIG_FILE is empty; generating the bootstrap", "file", given.get());
    }
    long start = System.nanoTime();
    // The metadata services (if any) answer while the configuration is read; node metadata waits.
    PlatformMetadata platform = platformMetadata();
    AgentConfig config = AgentConfig.from(environment);
    // Every variable is checked, whichever command reads it.
    ProcessConfig.from(environment);
    dev.meshboot.config.ApiConfig.from(environment);
    dev.meshboot.config.RoleSettings.check(environment);
    EnvoySchema.Scope scope = Bootstraps.schemaFor(config);
    EnvoySchema[] used = new EnvoySchema[1];
    var rendered =
        Bootstraps.from(
            config,
            () -> {
              XdsConfig xds = xds();
              xds.decisions().forEach(decision -> log.info("xds " + decision));
              return xds;
            },
            this::envoyBuild,
            environment,
            context.hostFacts().get(),
            platform.facts(),
            () -> used[0] = schema(scope));
    log.debug("rendered", "ms", (System.nanoTime() - start) / 1_000_000, "schema", scope);
    return new Result(java.util.Objects.requireNonNull(used[0]), rendered, Optional.empty());
  }

  /**
   * Checks every variable, and returns ENVOY_CONFIG_FILE when it names a whole bootstrap of the
   * user's (a non-empty file); empty when the bootstrap is generated.
   */
  Optional<Path> wholeConfigFile() {
    environment.checkAll();
    reader.absolutePath(Variables.MESHBOOT_CACHE_DIR);
    Optional<Path> whole = reader.path(Variables.ENVOY_CONFIG_FILE);
    return whole.isPresent() && emptyConfigFile(environment).isEmpty() ? whole : Optional.empty();
  }

  /** The content of the user's whole bootstrap, read once (checked, bounded). */
  static String readConfigFile(Path file) {
    return dev.meshboot.config.InputFiles.read(
        file, "ENVOY_CONFIG_FILE", dev.meshboot.config.InputFiles.CONFIG_LIMIT);
  }

  /** The remembered validations of whole bootstraps, in the cache directory. */
  Optional<ValidatedConfigFiles> validatedConfigFiles() {
    return cacheDir().map(ValidatedConfigFiles::new);
  }

  /**
   * ENVOY_CONFIG_FILE when it names an empty regular file: then the bootstrap is generated, and
   * {@code meshboot run} writes it into that file, as App Mesh's agent did; empty otherwise.
   *
   * @throws dev.meshboot.config.ConfigException when the variable names nothing usable (a missing
   *     file, a loop of links, a directory that cannot be looked into)
   */
  static Optional<Path> emptyConfigFile(Environment environment) {
    Optional<Path> file = new ConfigReader(environment).path(Variables.ENVOY_CONFIG_FILE);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    java.nio.file.attribute.BasicFileAttributes attributes =
        dev.meshboot.config.InputFiles.attributes(file.get(), "ENVOY_CONFIG_FILE");
    return attributes.isRegularFile() && attributes.size() == 0 ? file : Optional.empty();
  }

  /**
   * A rendered bootstrap and its schema.
   *
   * @param whole the user's whole bootstrap it was read from, as read; empty when generated
   */
  record Result(EnvoySchema schema, Rendered rendered, Optional<WholeFile> whole) {}

  /** ENVOY_CONFIG_FILE and its content when it was read. */
  record WholeFile(Path file, String content) {}
}

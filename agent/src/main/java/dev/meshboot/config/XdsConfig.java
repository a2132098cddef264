package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPMESH_DUALSTACK_ENDPOINT;
import static dev.meshboot.config.Variables.APPMESH_FIPS_ENDPOINT;
import static dev.meshboot.config.Variables.APPMESH_PREVIEW;
import static dev.meshboot.config.Variables.APPMESH_SIGNING_NAME;
import static dev.meshboot.config.Variables.APPMESH_XDS_ENDPOINT;
import static dev.meshboot.config.Variables.AWS_DEFAULT_REGION;
import static dev.meshboot.config.Variables.AWS_REGION;
import static dev.meshboot.config.Variables.MESHBOOT_MESH;
import static dev.meshboot.config.Variables.MESHBOOT_MESH_SOCKET;
import static dev.meshboot.config.Variables.MESHBOOT_XDS_CACHE;
import static dev.meshboot.config.Variables.MESHBOOT_XDS_CACHE_DIR;
import static dev.meshboot.config.Variables.MESHBOOT_XDS_CA_FILE;
import static dev.meshboot.config.Variables.MESHBOOT_XDS_MODE;
import static dev.meshboot.config.Variables.MESHBOOT_XDS_RELAY_SOCKET;
import static dev.meshboot.config.Variables.MESHBOOT_XDS_TLS;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The management connection: which server, how Envoy reaches it, and how it is authenticated.
 *
 * @param mode the resolved mode, never {@code AUTO}
 * @param endpoint the management server (for relay mode, the relay's upstream)
 * @param region the region, when the endpoint is App Mesh's
 * @param regionSource where the region came from (a variable or a metadata service); empty without
 *     a region
 * @param signingName SigV4 service name
 * @param tls whether the connection to {@code endpoint} uses TLS
 * @param caFile CA bundle that verifies the server; empty means the system bundle
 * @param relaySocket the relay's unix socket (relay mode)
 * @param mesh the definition meshboot serves itself ({@code MESHBOOT_MESH}): the endpoint is then
 *     the embedded control plane's unix socket, in direct mode
 * @param decisions why the mode and endpoint were chosen, one line each, for the log
 */
public record XdsConfig(
    XdsMode mode,
    Endpoint endpoint,
    Optional<String> region,
    Optional<String> regionSource,
    String signingName,
    boolean tls,
    Optional<Path> caFile,
    Path relaySocket,
    Optional<Path> mesh,
    List<String> decisions) {

  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");

  /**
   * Resolves the mode and endpoint, with the region from the variables only.
   *
   * @param envoyProbe asks {@code envoy --version}, only when the answer matters; empty when no
   *     Envoy could be asked
   */
  public static XdsConfig resolve(
      Environment environment, Supplier<Optional<EnvoyBuild>> envoyProbe) {
    return resolve(new ConfigReader(environment), envoyProbe, XdsConfig::noRegion);
  }

  /**
   * Resolves the mode and endpoint.
   *
   * @param envoyProbe asks {@code envoy --version}, only when the answer matters; empty when no
   *     Envoy could be asked
   * @param regionLookup finds the region when a regional endpoint needs one and neither {@code
   *     AWS_REGION} nor {@code AWS_DEFAULT_REGION} is set (the metadata services); throws a
   *     ConfigException that lists what it tried
   */
  public static XdsConfig resolve(
      Environment environment,
      Supplier<Optional<EnvoyBuild>> envoyProbe,
      Supplier<FoundRegion> regionLookup) {
    return resolve(new ConfigReader(environment), envoyProbe, regionLookup);
  }

  /**
   * Whether the endpoint the environment gives is App Mesh's (or signed by aws-iam), so that it
   * needs a region; false for a non-AWS endpoint or unix socket.
   */
  public static boolean needsRegion(Environment environment) {
    ConfigReader reader = new ConfigReader(environment);
    if (environment.setting(MESHBOOT_MESH).isPresent()) {
      return false;
    }
    boolean awsEndpoint =
        environment
            .setting(APPMESH_XDS_ENDPOINT)
            .map(Endpoint::parse)
            .map(e -> e instanceof Endpoint.Tcp tcp && tcp.isAws())
            .orElse(true);
    return awsEndpoint || reader.choice(MESHBOOT_XDS_MODE, XdsMode.BY_NAME) == XdsMode.AWS_IAM;
  }

  static XdsConfig resolve(
      ConfigReader reader,
      Supplier<Optional<EnvoyBuild>> envoyProbe,
      Supplier<FoundRegion> regionLookup) {
    Optional<Path> mesh = mesh(reader);
    Path meshSocket = reader.socketPath(MESHBOOT_MESH_SOCKET).orElseThrow();
    if (mesh.isPresent()) {
      return embedded(reader, mesh.get(), meshSocket);
    }
    Supplier<Optional<EnvoyBuild>> envoy = memoize(envoyProbe);
    List<String> decisions = new ArrayList<>();
    XdsMode requested = reader.choice(MESHBOOT_XDS_MODE, XdsMode.BY_NAME);
    Optional<Endpoint> explicit =
        reader.environment().setting(APPMESH_XDS_ENDPOINT).map(Endpoint::parse);
    boolean preview = reader.bool(APPMESH_PREVIEW);
    String signingName =
        reader
            .optionalString(APPMESH_SIGNING_NAME)
            .map(String::trim)
            .orElse(preview ? "appmesh-preview" : "appmesh");

    boolean awsEndpoint =
        explicit.map(e -> e instanceof Endpoint.Tcp tcp && tcp.isAws()).orElse(true);
    Optional<FoundRegion> found =
        awsEndpoint ? Optional.of(region(reader, regionLookup, decisions)) : optionalRegion(reader);

    Endpoint endpoint;
    if (explicit.isPresent()) {
      endpoint = explicit.get();
      decisions.add("endpoint=" + endpoint + " from APPMESH_XDS_ENDPOINT");
    } else {
      endpoint = regionalEndpoint(reader, found.orElseThrow().name(), preview, envoy, decisions);
    }

    XdsMode mode = requested;
    if (requested == XdsMode.AUTO) {
      mode = autoMode(endpoint, awsEndpoint, envoy, decisions);
    } else {
      decisions.add("mode=" + mode + " from MESHBOOT_XDS_MODE");
    }
    if (mode == XdsMode.AWS_IAM && !(endpoint instanceof Endpoint.Tcp)) {
      throw new ConfigException(
          MESHBOOT_XDS_MODE.name(),
          "MESHBOOT_XDS_MODE: aws-iam signs a TLS connection to a host:port endpoint, but"
              + " APPMESH_XDS_ENDPOINT is "
              + endpoint
              + "; use direct or relay for a unix socket");
    }
    if (mode == XdsMode.RELAY && !(endpoint instanceof Endpoint.Tcp)) {
      throw new ConfigException(
          MESHBOOT_XDS_MODE.name(),
          "MESHBOOT_XDS_MODE: the relay forwards to a host:port management endpoint, but"
              + " APPMESH_XDS_ENDPOINT is "
              + endpoint
              + "; use direct for a unix socket");
    }
    if (mode == XdsMode.AWS_IAM && found.isEmpty()) {
      found = Optional.of(region(reader, regionLookup, decisions));
    }

    boolean tls =
        endpoint instanceof Endpoint.Tcp && (awsEndpoint || reader.bool(MESHBOOT_XDS_TLS));
    Optional<Path> caFile = reader.path(MESHBOOT_XDS_CA_FILE);
    caFile.ifPresent(XdsConfig::checkCaFile);
    checkCache(reader);
    return new XdsConfig(
        mode,
        endpoint,
        found.map(FoundRegion::name),
        found.map(FoundRegion::source),
        signingName,
        tls,
        caFile,
        reader.socketPath(MESHBOOT_XDS_RELAY_SOCKET).orElseThrow(),
        Optional.empty(),
        List.copyOf(decisions));
  }

  /**
   * The definition {@code MESHBOOT_MESH} names: a directory or file that exists (it is read when
   * {@code meshboot run} starts), as an absolute path (the bootstrap records it).
   */
  private static Optional<Path> mesh(ConfigReader reader) {
    return reader
        .path(MESHBOOT_MESH)
        .map(
            path -> {
              Path absolute = path.toAbsolutePath().normalize();
              if (!java.nio.file.Files.isDirectory(absolute)
                  && !java.nio.file.Files.isRegularFile(absolute)) {
                throw new ConfigException(
                    MESHBOOT_MESH.name(),
                    MESHBOOT_MESH.name()
                        + ": "
                        + absolute
                        + " is not a directory or file of App Mesh resource definitions");
              }
              return absolute;
            });
  }

  /**
   * The embedded control plane: Envoy's ADS goes straight to its unix socket (direct mode, no
   * region, no signing); a management endpoint or another mode given as well is a contradiction.
   */
  private static XdsConfig embedded(ConfigReader reader, Path mesh, Path socket) {
    if (reader.environment().setting(APPMESH_XDS_ENDPOINT).isPresent()) {
      throw new ConfigException(
          MESHBOOT_MESH.name(),
          "MESHBOOT_MESH: meshboot serves the definition "
              + mesh
              + " itself, on MESHBOOT_MESH_SOCKET; APPMESH_XDS_ENDPOINT names another management"
              + " endpoint: unset one of them");
    }
    XdsMode requested = reader.choice(MESHBOOT_XDS_MODE, XdsMode.BY_NAME);
    if (requested != XdsMode.AUTO && requested != XdsMode.DIRECT) {
      throw new ConfigException(
          MESHBOOT_MESH.name(),
          "MESHBOOT_MESH: Envoy connects to the embedded control plane directly, but"
              + " MESHBOOT_XDS_MODE is "
              + requested
              + ": unset it or use direct");
    }
    String signingName = reader.optionalString(APPMESH_SIGNING_NAME).orElse("appmesh").trim();
    checkCache(reader);
    return new XdsConfig(
        XdsMode.DIRECT,
        new Endpoint.Unix(socket),
        optionalRegion(reader).map(FoundRegion::name),
        optionalRegion(reader).map(FoundRegion::source),
        signingName,
        false,
        Optional.empty(),
        reader.socketPath(MESHBOOT_XDS_RELAY_SOCKET).orElseThrow(),
        Optional.of(mesh),
        List.of(
            "endpoint=unix://"
                + socket
                + " from MESHBOOT_MESH_SOCKET: meshboot serves "
                + mesh
                + " (MESHBOOT_MESH)",
            "mode=direct: the embedded control plane"));
  }

  /** The CA bundle must be a readable file now: Envoy (direct mode) or the relay reads it later. */
  private static void checkCaFile(Path file) {
    java.nio.file.attribute.BasicFileAttributes attributes =
        InputFiles.attributes(file, MESHBOOT_XDS_CA_FILE.name());
    if (!attributes.isRegularFile() || !java.nio.file.Files.isReadable(file)) {
      throw new ConfigException(
          MESHBOOT_XDS_CA_FILE.name(),
          MESHBOOT_XDS_CA_FILE.name() + ": " + file + " is not a readable file of CA certificates");
    }
  }

  /**
   * The relay's cache settings, checked with the rest for every command (the relay reads them when
   * it starts): a boolean, and a directory, or a path where one can be made.
   */
  private static void checkCache(ConfigReader reader) {
    reader.bool(MESHBOOT_XDS_CACHE);
    reader
        .absolutePath(MESHBOOT_XDS_CACHE_DIR)
        .filter(dir -> java.nio.file.Files.exists(dir) && !java.nio.file.Files.isDirectory(dir))
        .ifPresent(
            dir -> {
              throw new ConfigException(
                  MESHBOOT_XDS_CACHE_DIR.name(),
                  MESHBOOT_XDS_CACHE_DIR.name() + ": " + dir + " exists and is not a directory");
            });
  }

  private static XdsMode autoMode(
      Endpoint endpoint,
      boolean awsEndpoint,
      Supplier<Optional<EnvoyBuild>> envoyProbe,
      List<String> decisions) {
    if (endpoint instanceof Endpoint.Unix) {
      decisions.add("mode=direct: the endpoint is a unix socket");
      return XdsMode.DIRECT;
    }
    if (!awsEndpoint) {
      decisions.add("mode=direct: " + endpoint + " is not an App Mesh endpoint, so nothing signs");
      return XdsMode.DIRECT;
    }
    Optional<EnvoyBuild> envoy = envoyProbe.get();
    if (envoy.isPresent() && envoy.get().hasAwsIamPlugin()) {
      decisions.add(
          "mode=aws-iam: Envoy " + envoy.get().release() + " signs with its aws_iam plugin");
      return XdsMode.AWS_IAM;
    }
    decisions.add(
        envoy
            .map(
                build ->
                    "mode=relay: Envoy "
                        + build.release()
                        + " has no aws_iam plugin (removed in 1.35)")
            .orElse("mode=relay: the Envoy release is unknown"));
    return XdsMode.RELAY;
  }

  private static Endpoint regionalEndpoint(
      ConfigReader reader,
      String region,
      boolean preview,
      Supplier<Optional<EnvoyBuild>> envoyProbe,
      List<String> decisions) {
    boolean dualStack = reader.bool(APPMESH_DUALSTACK_ENDPOINT);
    boolean govCloud = region.startsWith("us-gov-");
    boolean fipsRequired = govCloud || region.startsWith("us-iso");
    Optional<Boolean> fipsGiven = reader.optionalBool(APPMESH_FIPS_ENDPOINT);
    Optional<EnvoyBuild> envoy = fipsGiven.isPresent() ? Optional.empty() : envoyProbe.get();
    boolean fipsBuild = envoy.map(EnvoyBuild::fips).orElse(false);
    boolean fips = fipsGiven.orElse(fipsBuild);
    if (fipsGiven.isEmpty()) {
      decisions.add(
          envoy
              .map(build -> "fips=" + fipsBuild + " from envoy --version")
              .orElse("fips=false: the Envoy build is unknown"));
    }
    if (fipsRequired && !fips) {
      throw new ConfigException(
          AWS_REGION.name(),
          "region "
              + region
              + " requires a FIPS Envoy build, but "
              + envoy
                  .map(build -> "envoy --version reports \"" + build.versionLine() + "\"")
                  .orElse("no Envoy build could be checked")
              + "; use a FIPS build of Envoy, or set APPMESH_FIPS_ENDPOINT=true if it is one");
    }
    boolean china = region.startsWith("cn-");
    String domain =
        dualStack
            ? (china ? "api.amazonwebservices.com.cn" : "api.aws")
            : (china ? "amazonaws.com.cn" : "amazonaws.com");
    String host =
        "appmesh"
            + (preview ? "-preview" : "")
            + "-envoy-management"
            + (fips && !govCloud ? "-fips" : "")
            + "."
            + region
            + "."
            + domain;
    decisions.add("endpoint=" + host + ":443 for region " + region);
    return new Endpoint.Tcp(host, 443);
  }

  private static <T> Supplier<T> memoize(Supplier<T> supplier) {
    List<T> memo = new ArrayList<>(1);
    return () -> {
      if (memo.isEmpty()) {
        memo.add(supplier.get());
      }
      return memo.get(0);
    };
  }

  /** The region of the variables, else of the lookup (a decision worth logging). */
  private static FoundRegion region(
      ConfigReader reader, Supplier<FoundRegion> regionLookup, List<String> decisions) {
    Optional<FoundRegion> given = optionalRegion(reader);
    if (given.isPresent()) {
      return given.get();
    }
    FoundRegion found = regionLookup.get();
    decisions.add("region=" + found.name() + " from " + found.source());
    return found;
  }

  private static FoundRegion noRegion() {
    throw new ConfigException(
        AWS_REGION.name(),
        "AWS_REGION must be set (or AWS_DEFAULT_REGION): the App Mesh management endpoint is"
            + " regional. Set AWS_REGION, or point APPMESH_XDS_ENDPOINT at a non-AWS server");
  }

  private static Optional<FoundRegion> optionalRegion(ConfigReader reader) {
    Optional<Setting> setting = reader.environment().setting(AWS_REGION);
    if (setting.isEmpty()) {
      setting = reader.environment().setting(AWS_DEFAULT_REGION);
    }
    return setting.map(
        given -> {
          String region = given.value().trim();
          if (!REGION.matcher(region).matches()) {
            throw ConfigException.invalid(given, "an AWS region such as us-west-2");
          }
          return new FoundRegion(
              region, given.variable().name() + " (" + given.describeOrigin() + ")");
        });
  }
}

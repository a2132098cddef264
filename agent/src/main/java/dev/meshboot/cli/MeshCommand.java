package dev.meshboot.cli;

import dev.meshboot.bootstrap.BootstrapWriter;
import dev.meshboot.config.ConfigException;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.xds.Translator;
import dev.meshboot.mesh.xds.XdsJson;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code meshboot mesh validate|render|serve}: the control plane that serves App Mesh resource
 * definitions to the sidecars (App Mesh's own service ended on 2026-09-30).
 */
final class MeshCommand implements Main.Command {

  static final Help.Spec SPEC =
      new Help.Spec(
          "mesh",
          "mesh validate DIR | mesh render DIR --node NAME [--format yaml|json] | mesh serve DIR"
              + " [serve options]",
          "The mesh's control plane: App Mesh resource definitions (meshes, virtual nodes, services,"
              + "\nrouters, routes, gateways) in the shape of the App Mesh API's create requests, checked,"
              + "\ntranslated into what App Mesh configured in each Envoy, and served over xDS.",
          List.of(),
          false);

  private final Main.Context context;

  MeshCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public ExitCode call(List<String> argv) {
    if (argv.isEmpty() || argv.get(0).equals("-h") || argv.get(0).equals("--help")) {
      context.out().print(Help.command(SPEC));
      return argv.isEmpty() ? ExitCode.USAGE : ExitCode.OK;
    }
    List<String> rest = argv.subList(1, argv.size());
    return switch (argv.get(0)) {
      case "validate" -> validate(rest);
      case "render" -> render(rest);
      case "serve" -> serve(rest);
      default ->
          throw new UsageException(
              "mesh", "unknown mesh command \"" + argv.get(0) + "\" (validate, render, serve)");
    };
  }

  /**
   * {@code mesh validate DIR}: a one-line summary on stdout, or every error on stderr and exit 4 (a
   * definition that breaks the App Mesh API, as a bootstrap that breaks Envoy's is).
   */
  private ExitCode validate(List<String> argv) {
    Args args = Args.parse("mesh", argv, Set.of(), Set.of("--stacktrace"), false);
    if (args.positional().size() != 1) {
      throw new UsageException(
          "mesh",
          "mesh validate takes one directory or file of App Mesh resources: " + args.positional());
    }
    Path definition = Path.of(args.positional().get(0));
    Optional<MeshDefinition> mesh = load(definition);
    if (mesh.isEmpty()) {
      return ExitCode.INVALID;
    }
    List<String> counts = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      long count = mesh.get().resources().stream().filter(r -> r.kind() == kind).count();
      // virtualNode → "virtual node", "virtual nodes"; mesh → "meshes"
      String name = kind.wrapper().replaceAll("([A-Z])", " $1").toLowerCase(Locale.ROOT);
      counts.add(count + " " + name + (count == 1 ? "" : name.endsWith("h") ? "es" : "s"));
    }
    context.out().println(definition + ": valid: " + String.join(", ", counts));
    return ExitCode.OK;
  }

  /**
   * {@code mesh render DIR --node NAME}: the listeners, clusters, route configurations, endpoints
   * and secrets the control plane serves the Envoy of one virtual node or gateway, as the xDS
   * resources' JSON (or YAML) in the proto files' field names: the view of what a node gets that
   * App Mesh never gave.
   */
  private ExitCode render(List<String> argv) {
    Args args =
        Args.parse("mesh", argv, Set.of("--node", "--format"), Set.of("--stacktrace"), false);
    if (args.positional().size() != 1) {
      throw new UsageException(
          "mesh",
          "mesh render takes one directory or file of App Mesh resources: " + args.positional());
    }
    String node = args.value("--node");
    if (node == null || node.isBlank()) {
      throw new UsageException(
          "mesh",
          "mesh render needs --node NAME: a virtual node's or gateway's name, or"
              + " mesh/<mesh>/virtualNode/<name> as an Envoy's node id names it");
    }
    String formatName = Objects.requireNonNullElse(args.value("--format"), "json");
    BootstrapWriter.Format format = BootstrapWriter.Format.parse(formatName);
    if (format == null) {
      throw new UsageException("mesh", "--format must be json or yaml, not \"" + formatName + "\"");
    }
    Path definition = Path.of(args.positional().get(0));
    Optional<MeshDefinition> mesh = load(definition);
    if (mesh.isEmpty()) {
      return ExitCode.INVALID;
    }
    Translator translator = Translator.of(mesh.get());
    NodeKey key = select(translator.nodes(), node, definition);
    NodeResources resources;
    try {
      resources = translator.node(key).orElseThrow();
    } catch (MeshException e) {
      return refused(context.err(), definition, e);
    }
    String json = XdsJson.print(resources);
    context.out().print(format == BootstrapWriter.Format.JSON ? json : BootstrapWriter.yaml(json));
    context.out().flush();
    return ExitCode.OK;
  }

  /**
   * The node {@code name} selects: an Envoy's node id (or ARN), or a bare name that exactly one
   * virtual node or gateway of the definition has.
   */
  private static NodeKey select(List<NodeKey> nodes, String name, Path definition) {
    Optional<NodeKey> byId = NodeKey.fromNodeId(name);
    List<NodeKey> matching =
        byId.isPresent()
            ? nodes.stream().filter(byId.get()::equals).toList()
            : nodes.stream().filter(key -> key.name().equals(name)).toList();
    if (matching.size() == 1) {
      return matching.get(0);
    }
    if (matching.isEmpty()) {
      List<String> defined = nodes.stream().map(NodeKey::toString).toList();
      throw new ConfigException(
          "--node",
          "--node "
              + name
              + ": "
              + definition
              + " defines no such virtual node or gateway; it defines "
              + listed(defined));
    }
    throw new ConfigException(
        "--node",
        "--node "
            + name
            + " is ambiguous in "
            + definition
            + ": name one of "
            + String.join(", ", matching.stream().map(NodeKey::toString).toList()));
  }

  /** The nodes a definition defines, for an error: the first 20, and how many more. */
  static String listed(List<String> nodes) {
    if (nodes.isEmpty()) {
      return "none";
    }
    return String.join(", ", nodes.subList(0, Math.min(20, nodes.size())))
        + (nodes.size() > 20 ? " and " + (nodes.size() - 20) + " more" : "");
  }

  /** The definition in {@code definition}, or empty once its errors are on stderr. */
  private Optional<MeshDefinition> load(Path definition) {
    try {
      return Optional.of(context.mesh().loader().apply(definition));
    } catch (MeshException e) {
      refused(context.err(), definition, e);
      return Optional.empty();
    }
  }

  /**
   * Every error of an invalid definition on {@code err}, then a summary: exit 4, as for a bootstrap
   * that breaks the Envoy API (the same for {@code mesh validate}, {@code render}, {@code serve}
   * and {@code run --mesh}).
   */
  static ExitCode refused(PrintStream err, Path definition, MeshException e) {
    e.errors().forEach(err::println);
    err.println(
        "meshboot: "
            + definition
            + " is not a valid mesh definition ("
            + e.errors().size()
            + (e.errors().size() == 1 ? " error)" : " errors)"));
    return ExitCode.INVALID;
  }

  private ExitCode serve(List<String> argv) {
    return new MeshServeCommand(context).call(argv);
  }
}

package dev.meshboot.cli;

import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.load.MeshLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
    List<String> operands = argv.stream().filter(a -> !a.equals("--stacktrace")).toList();
    if (operands.size() != 1 || operands.get(0).startsWith("-")) {
      throw new UsageException(
          "mesh", "mesh validate takes one directory or file of App Mesh resources: " + operands);
    }
    Path definition = Path.of(operands.get(0));
    MeshDefinition mesh;
    try {
      mesh = MeshLoader.load(definition);
    } catch (MeshException e) {
      e.errors().forEach(context.err()::println);
      context
          .err()
          .println(
              "meshboot: "
                  + definition
                  + " is not a valid mesh definition ("
                  + e.errors().size()
                  + (e.errors().size() == 1 ? " error)" : " errors)"));
      return ExitCode.INVALID;
    }
    List<String> counts = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      long count = mesh.resources().stream().filter(r -> r.kind() == kind).count();
      // virtualNode → "virtual node", "virtual nodes"; mesh → "meshes"
      String name = kind.wrapper().replaceAll("([A-Z])", " $1").toLowerCase(Locale.ROOT);
      counts.add(count + " " + name + (count == 1 ? "" : name.endsWith("h") ? "es" : "s"));
    }
    context.out().println(definition + ": valid: " + String.join(", ", counts));
    return ExitCode.OK;
  }

  private ExitCode render(List<String> argv) {
    throw new UsageException("mesh", "mesh render is being built (issue #13): " + argv);
  }

  private ExitCode serve(List<String> argv) {
    return new MeshServeCommand(context).call(argv);
  }
}

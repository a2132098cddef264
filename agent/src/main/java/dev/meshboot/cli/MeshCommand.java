package dev.meshboot.cli;

import java.util.List;

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

  private ExitCode validate(List<String> argv) {
    throw new UsageException("mesh", "mesh validate is being built (issue #13): " + argv);
  }

  private ExitCode render(List<String> argv) {
    throw new UsageException("mesh", "mesh render is being built (issue #13): " + argv);
  }

  private ExitCode serve(List<String> argv) {
    return new MeshServeCommand(context).call(argv);
  }
}

package dev.meshboot.cli;

import dev.meshboot.bootstrap.EnvoySchema;
import java.util.List;
import java.util.Set;

/** {@code meshboot version}. */
final class VersionCommand implements Main.Command {

  static final Help.Spec SPEC =
      new Help.Spec(
          "version",
          "version",
          "Prints meshboot's version, the Envoy API it was built against and the Java runtime.",
          List.<String[]>of(new String[] {"-h, --help", "show this help"}),
          false);

  private final Main.Context context;

  VersionCommand(Main.Context context) {
    this.context = context;
  }

  /** The version in the jar's manifest; {@code dev} when run from classes. */
  static String version() {
    String version = VersionCommand.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  @Override
  public ExitCode call(List<String> argv) {
    Args args =
        Args.parse("version", argv, Set.of(), Set.of("-h", "--help", "--stacktrace"), false);
    if (args.flag("-h", "--help")) {
      context.out().print(Help.command(SPEC));
      return ExitCode.OK;
    }
    context
        .out()
        .printf(
            "meshboot %s (Envoy API %s, Java %s)%n",
            version(), EnvoySchema.API_VERSION, Runtime.version());
    return ExitCode.OK;
  }
}

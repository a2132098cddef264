package dev.meshboot.cli;

import dev.meshboot.bootstrap.InvalidBootstrapException;
import dev.meshboot.config.ConfigException;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** meshboot's entry point: dispatches to a command and turns failures into exit codes. */
public final class Main {

  private Main() {}

  public static void main(String[] argv) {
    int code =
        run(
            Arrays.asList(argv),
            Context.system(System.getenv(), System.out, System.err, self(Arrays.asList(argv))));
    System.out.flush();
    System.exit(code);
  }

  /** Runs a command line; the only place that maps exceptions to exit codes. */
  public static int run(List<String> argv, Context context) {
    PrintStream err = context.err();
    if (argv.isEmpty()) {
      err.print(Help.main());
      return ExitCode.USAGE.code();
    }
    String name = argv.get(0);
    List<String> rest = argv.subList(1, argv.size());
    boolean stacktrace = rest.contains("--stacktrace");
    try {
      Command command =
          switch (name) {
            case "bootstrap" -> new BootstrapCommand(context);
            case "validate" -> new ValidateCommand(context);
            case "run" -> new RunCommand(context);
            case "mesh" -> new MeshCommand(context);
            case "intercept" -> new InterceptCommand(context);
            case "healthcheck" -> new ProbeCommand(context, ProbeCommand.Kind.HEALTHCHECK);
            case "wait-ready" -> new ProbeCommand(context, ProbeCommand.Kind.WAIT_READY);
            case "version", "--version" -> new VersionCommand(context);
            case "help", "--help", "-h" -> new HelpCommand(context);
            default -> throw new UsageException("", "unknown command \"" + name + "\"");
          };
      return command.call(rest).code();
    } catch (UsageException e) {
      err.println("meshboot: " + Log.withoutUserInfo(String.valueOf(e.getMessage())));
      err.println("Run 'meshboot " + (e.command().isEmpty() ? "" : e.command() + " ") + "--help'.");
      return ExitCode.USAGE.code();
    } catch (ConfigException e) {
      return fail(err, e, ExitCode.CONFIG, stacktrace);
    } catch (InvalidBootstrapException e) {
      return fail(err, e, ExitCode.INVALID, stacktrace);
    } catch (EnvoyFailedException e) {
      return fail(err, e, ExitCode.ENVOY_FAILED, stacktrace);
    } catch (OutputException e) {
      return fail(err, e, ExitCode.IO, stacktrace);
    } catch (dev.meshboot.intercept.InterceptException e) {
      return fail(err, e, ExitCode.INTERCEPT, stacktrace);
    } catch (RuntimeException e) {
      err.println(
          "meshboot: internal error: "
              + Log.withoutUserInfo(e.toString())
              + (stacktrace ? "" : " (run with --stacktrace for details)"));
      if (stacktrace) {
        e.printStackTrace(err);
      }
      return ExitCode.INTERNAL.code();
    }
  }

  private static int fail(PrintStream err, RuntimeException e, ExitCode code, boolean stacktrace) {
    err.println("meshboot: " + Log.withoutUserInfo(String.valueOf(e.getMessage())));
    if (stacktrace) {
      e.printStackTrace(err);
    }
    return code.code();
  }

  /** One subcommand. */
  interface Command {
    ExitCode call(List<String> args);
  }

  /**
   * What a command may touch of the world.
   *
   * @param environment the process environment
   * @param children the child processes this JVM waits for itself, which a reaper leaves alone
   * @param processes launches Envoy for version checks and validation (registered in {@code
   *     children})
   * @param hostFacts reads the host's interfaces, kernel and CA bundle
   * @param self the command line that starts this program again
   * @param mesh how {@code mesh} and {@code run --mesh} load and translate a definition (tests pass
   *     a simpler one to test serving on its own)
   */
  public record Context(
      Map<String, String> environment,
      PrintStream out,
      PrintStream err,
      dev.meshboot.envoy.Children children,
      dev.meshboot.envoy.ProcessRunner processes,
      java.util.function.Supplier<dev.meshboot.config.HostFacts> hostFacts,
      Optional<List<String>> self,
      dev.meshboot.mesh.serve.MeshSource mesh) {

    /**
     * App Mesh definitions as {@code mesh.load} reads them and {@code mesh.xds} translates them.
     * Lambdas, not method references: a method reference links (and loads) its class when the
     * context is made, at every start of every command; these load the loader and the translator
     * only when a mesh command calls them.
     */
    static final dev.meshboot.mesh.serve.MeshSource MESH =
        new dev.meshboot.mesh.serve.MeshSource(
            definition -> dev.meshboot.mesh.load.MeshLoader.load(definition),
            loaded -> dev.meshboot.mesh.xds.Translator.of(loaded));

    /** A context with real processes and host facts. */
    public static Context system(
        Map<String, String> environment,
        PrintStream out,
        PrintStream err,
        Optional<List<String>> self) {
      dev.meshboot.envoy.Children children = new dev.meshboot.envoy.Children();
      return new Context(
          environment,
          out,
          err,
          children,
          dev.meshboot.envoy.ProcessRunner.system(children),
          dev.meshboot.platform.Hosts::facts,
          self,
          MESH);
    }

    /** This context with {@code source} loading and translating mesh definitions. */
    public Context withMesh(dev.meshboot.mesh.serve.MeshSource source) {
      return new Context(environment, out, err, children, processes, hostFacts, self, source);
    }

    /**
     * A context whose short commands are {@code processes}' (tests fake them) and that cannot start
     * another meshboot process (commands then work in process).
     */
    public Context(
        Map<String, String> environment,
        PrintStream out,
        PrintStream err,
        dev.meshboot.envoy.ProcessRunner processes,
        java.util.function.Supplier<dev.meshboot.config.HostFacts> hostFacts) {
      this(
          environment,
          out,
          err,
          new dev.meshboot.envoy.Children(),
          processes,
          hostFacts,
          Optional.empty(),
          MESH);
    }
  }

  /**
   * The command line that starts this program again (the JVM and its options, up to the program
   * arguments), read from {@code /proc/self/cmdline}; empty where that file is missing or does not
   * end with {@code argv}.
   */
  static Optional<List<String>> self(List<String> argv) {
    try {
      String raw = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/cmdline"));
      List<String> words = Arrays.asList(raw.split("\0", -1));
      if (!words.isEmpty() && words.get(words.size() - 1).isEmpty()) {
        words = words.subList(0, words.size() - 1);
      }
      int jvm = words.size() - argv.size();
      return jvm > 0 && words.subList(jvm, words.size()).equals(argv)
          ? Optional.of(List.copyOf(words.subList(0, jvm)))
          : Optional.empty();
    } catch (java.io.IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The output could not be written. */
  static final class OutputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutputException(String message, IOException cause) {
      super(message, cause);
    }
  }

  /** Envoy could not judge a bootstrap. */
  static final class EnvoyFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EnvoyFailedException(String message) {
      super(message);
    }
  }
}

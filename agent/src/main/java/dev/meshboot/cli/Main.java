package dev.meshboot.cli;

import dev.meshboot.bootstrap.InvalidBootstrapException;
import dev.meshboot.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** meshboot's entry point: dispatches to a command and turns failures into exit codes. */
public final class Main {

  private Main() {}

  public static void main(String[] argv) {
    int code =
        run(
            Arrays.asList(argv),
            new Context(
                System.getenv(),
                System.out,
                System.err,
                dev.meshboot.envoy.ProcessRunner.system(),
                dev.meshboot.platform.Hosts::facts));
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
            case "healthcheck" -> new ProbeCommand(context, ProbeCommand.Kind.HEALTHCHECK);
            case "wait-ready" -> new ProbeCommand(context, ProbeCommand.Kind.WAIT_READY);
            case "version", "--version" -> new VersionCommand(context);
            case "help", "--help", "-h" -> new HelpCommand(context);
            default -> throw new UsageException("", "unknown command \"" + name + "\"");
          };
      return command.call(rest).code();
    } catch (UsageException e) {
      err.println("meshboot: " + e.getMessage());
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
    } catch (RuntimeException e) {
      err.println(
          "meshboot: internal error: "
              + e
              + (stacktrace ? "" : " (run with --stacktrace for details)"));
      if (stacktrace) {
        e.printStackTrace(err);
      }
      return ExitCode.INTERNAL.code();
    }
  }

  private static int fail(PrintStream err, RuntimeException e, ExitCode code, boolean stacktrace) {
    err.println("meshboot: " + e.getMessage());
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
   * @param processes launches Envoy for version checks and validation
   * @param hostFacts reads the host's interfaces, kernel and CA bundle
   */
  public record Context(
      Map<String, String> environment,
      PrintStream out,
      PrintStream err,
      dev.meshboot.envoy.ProcessRunner processes,
      java.util.function.Supplier<dev.meshboot.config.HostFacts> hostFacts) {}

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

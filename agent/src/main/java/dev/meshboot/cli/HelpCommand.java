package dev.meshboot.cli;

import java.util.List;

/** {@code meshboot help [command]}. */
final class HelpCommand implements Main.Command {
  private final Main.Context context;

  HelpCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public ExitCode call(List<String> args) {
    String text =
        args.isEmpty()
            ? Help.main()
            : switch (args.get(0)) {
              case "bootstrap" -> Help.command(BootstrapCommand.SPEC);
              case "validate" -> Help.command(ValidateCommand.SPEC);
              case "run" -> Help.command(RunCommand.SPEC);
              case "intercept" -> Help.command(InterceptCommand.SPEC);
              case "healthcheck" -> Help.command(ProbeCommand.HEALTHCHECK);
              case "wait-ready" -> Help.command(ProbeCommand.WAIT_READY);
              case "version" -> Help.command(VersionCommand.SPEC);
              default -> throw new UsageException("", "unknown command \"" + args.get(0) + "\"");
            };
    context.out().print(text);
    return ExitCode.OK;
  }
}

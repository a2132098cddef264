package dev.meshboot.cli;

import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.Environment;
import dev.meshboot.config.InterceptConfig;
import dev.meshboot.config.Variables;
import dev.meshboot.intercept.Family;
import dev.meshboot.intercept.Interception;
import dev.meshboot.intercept.Rules;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code meshboot intercept enable|disable|status|rules}: App Mesh's traffic interception with
 * iptables (contract §10), what App Mesh's proxy init container did, for the EKS init container and
 * the EC2 startup script.
 */
final class InterceptCommand implements Main.Command {

  static final Help.Spec SPEC =
      new Help.Spec(
          "intercept",
          "intercept enable|disable|status|rules [--env-file FILE] [variable options]",
          "App Mesh's traffic interception in this network namespace (needs CAP_NET_ADMIN and"
              + "\niptables): enable sends the application's outbound TCP to Envoy's egress port and"
              + "\ninbound TCP for APPMESH_APP_PORTS to its ingress port (nat chains APPMESH_EGRESS and"
              + "\nAPPMESH_INGRESS), applied in one iptables-restore; applying twice changes nothing."
              + "\ndisable removes exactly those chains and the jumps to them; status prints whether it"
              + "\nis enabled and the rules; rules prints the iptables-restore input for a table"
              + "\nwithout them (needs no privilege).",
          Generation.COMMON_OPTIONS,
          true);

  private final Main.Context context;

  InterceptCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public ExitCode call(List<String> argv) {
    Args args =
        Args.parse(
            "intercept", argv, Set.of("--env-file"), Set.of("--stacktrace", "-h", "--help"), true);
    if (args.flag("-h", "--help")) {
      context.out().print(Help.command(SPEC));
      return ExitCode.OK;
    }
    if (args.positional().size() != 1) {
      throw new UsageException(
          "intercept",
          "intercept takes one of enable, disable, status, rules: " + args.positional());
    }
    Environment environment = Generation.environment(context, args);
    Interception interception = new Interception(context.processes(), Path.of("/proc/self/status"));
    Interception.Outcome outcome =
        switch (args.positional().get(0)) {
          case "enable" -> interception.enable(InterceptConfig.from(environment));
          case "disable" ->
              interception.disable(
                  new ConfigReader(environment).bool(Variables.APPMESH_ENABLE_IPV6));
          case "status" ->
              interception.status(
                  new ConfigReader(environment).bool(Variables.APPMESH_ENABLE_IPV6));
          case "rules" -> rules(InterceptConfig.from(environment));
          default ->
              throw new UsageException(
                  "intercept",
                  "unknown intercept command \""
                      + args.positional().get(0)
                      + "\" (enable, disable, status, rules)");
        };
    outcome.lines().forEach(context.out()::println);
    return ExitCode.OK;
  }

  /** What enable would apply to tables without meshboot's chains, one section per family. */
  private static Interception.Outcome rules(InterceptConfig config) {
    StringBuilder text = new StringBuilder("# iptables-restore --noflush\n");
    text.append(Rules.fresh(config, Family.IPV4));
    if (config.ipv6()) {
      text.append("# ip6tables-restore --noflush\n").append(Rules.fresh(config, Family.IPV6));
    }
    return new Interception.Outcome(text.toString().lines().toList());
  }
}

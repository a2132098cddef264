package dev.meshboot.cli;

import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import java.util.List;

/** Help text, generated from the command specs and the variable registry. */
final class Help {

  private Help() {}

  /**
   * What a command takes.
   *
   * @param usage the synopsis after {@code meshboot}
   * @param summary one paragraph
   * @param options each {@code {names, description}}
   * @param variableOptions whether the variable options apply
   */
  record Spec(
      String name, String usage, String summary, List<String[]> options, boolean variableOptions) {}

  static String main() {
    return """
        meshboot: the Envoy sidecar bootstrap agent for App Mesh style meshes.

        Usage: meshboot <command> [options]

        Commands:
          bootstrap   write the Envoy bootstrap for this sidecar's environment
          validate    check a bootstrap (or the one the environment gives) strictly, then with Envoy
          run         write the bootstrap, then start, supervise and finally drain Envoy
          mesh        the mesh's control plane: validate, render and serve App Mesh definitions
          intercept   App Mesh's traffic interception with iptables: enable, disable, status, rules
          healthcheck exit 0 only if the running meshboot reports healthy (ECS health checks)
          wait-ready  wait until Envoy has accepted its initial configuration (postStart, dependsOn)
          version     print meshboot's version
          help        print help for a command

        Run 'meshboot <command> --help' for a command's options and the variables it reads.
        """;
  }

  /** The README's variable reference: one Markdown table per section. */
  static String variablesMarkdown() {
    StringBuilder out = new StringBuilder();
    Variable.Section section = null;
    for (Variable variable : Variables.ALL) {
      if (variable.section() != section) {
        section = variable.section();
        out.append(out.isEmpty() ? "" : "\n")
            .append("#### ")
            .append(section.title())
            .append("\n\n");
        out.append("| Variable | Option | Default | Meaning |\n|---|---|---|---|\n");
      }
      String def = variable.defaultText();
      Variable.Fallback fallback = variable.fallback();
      out.append("| `")
          .append(variable.name())
          .append("` | ")
          .append(variable.secret() ? "environment only" : "`" + variable.option() + "`")
          .append(" | ")
          .append(
              def.isEmpty()
                  ? ""
                  : def.equals("required") || def.equals("unset") ? def : "`" + def + "`")
          .append(" | ")
          .append(variable.description().replace("|", "\\|"))
          .append(
              fallback == null
                  ? ""
                  : " **Lenient** (as App Mesh's agent), "
                      + fallback.describe(variable).replace("|", "\\|")
                      + ", with a warning.")
          .append(" |\n");
    }
    return out.toString();
  }

  static String command(Spec spec) {
    StringBuilder out = new StringBuilder();
    out.append("Usage: meshboot ")
        .append(spec.usage())
        .append("\n\n")
        .append(spec.summary())
        .append("\n\nOptions:\n");
    for (String[] option : spec.options()) {
      out.append(String.format("  %-30s %s%n", option[0], option[1]));
    }
    if (spec.variableOptions()) {
      out.append(
          "\nEvery variable can also be given as an option, which wins over an --env-file and the"
              + "\nenvironment. Unset or blank means the default.\n");
      Variable.Section section = null;
      for (Variable variable : Variables.ALL) {
        if (variable.section() != section) {
          section = variable.section();
          out.append("\n").append(section.title()).append(":\n");
        }
        String def = variable.defaultText();
        out.append(
            String.format(
                "  %-30s %s%n",
                variable.secret() ? "(environment only)" : variable.option() + " <value>",
                variable.name() + (def.isEmpty() ? "" : ", default " + def)));
        out.append(String.format("  %-30s %s%n", "", variable.description()));
        Variable.Fallback fallback = variable.fallback();
        if (fallback != null) {
          out.append(
              String.format(
                  "  %-30s %s%n",
                  "",
                  "Lenient (as App Mesh's agent): "
                      + fallback.describe(variable)
                      + ", with a warning."));
        }
      }
    }
    out.append("\nExit codes:\n");
    for (ExitCode code : ExitCode.values()) {
      out.append(String.format("  %d  %s%n", code.code(), code.meaning()));
    }
    return out.toString();
  }
}

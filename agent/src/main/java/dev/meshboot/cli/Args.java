package dev.meshboot.cli;

import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A parsed command line: the options of the command, the variable options ({@code --admin-mode uds}
 * for {@code ENVOY_ADMIN_MODE}), and positional arguments. {@code --x=v} and {@code --x v} are the
 * same.
 */
final class Args {

  private final Map<String, String> values = new HashMap<>();
  private final Set<String> flags = new HashSet<>();
  private final Map<String, String> variables = new HashMap<>();
  private final List<String> positional = new ArrayList<>();

  private Args() {}

  /**
   * Parses {@code argv}.
   *
   * @param valueOptions the command's own options that take a value (with aliases)
   * @param flagOptions the command's own options without a value
   * @param variableOptions whether the command takes the variable options
   */
  static Args parse(
      String command,
      List<String> argv,
      Set<String> valueOptions,
      Set<String> flagOptions,
      boolean variableOptions) {
    Args args = new Args();
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (!arg.startsWith("-") || arg.equals("-")) {
        args.positional.add(arg);
        continue;
      }
      String name = arg;
      String inline = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        inline = arg.substring(eq + 1);
      }
      if (flagOptions.contains(name)) {
        if (inline != null) {
          throw new UsageException(command, "option " + name + " takes no value");
        }
        args.flags.add(name);
        continue;
      }
      Variable variable = variableOptions ? Variables.byOption(name) : null;
      if (!valueOptions.contains(name) && variable == null) {
        throw new UsageException(command, "unknown option " + name);
      }
      String value = inline;
      if (value == null) {
        if (i + 1 >= argv.size()) {
          throw new UsageException(command, "option " + name + " needs a value");
        }
        value = argv.get(++i);
      }
      if (variable != null) {
        args.variables.put(variable.name(), value);
      } else {
        args.values.put(name, value);
      }
    }
    return args;
  }

  @Nullable String value(String... names) {
    for (String name : names) {
      String value = values.get(name);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  boolean flag(String... names) {
    for (String name : names) {
      if (flags.contains(name)) {
        return true;
      }
    }
    return false;
  }

  /** Values of variable options, keyed by variable name. */
  Map<String, String> variables() {
    return Map.copyOf(variables);
  }

  List<String> positional() {
    return List.copyOf(positional);
  }
}

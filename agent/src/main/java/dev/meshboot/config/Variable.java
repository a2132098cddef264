package dev.meshboot.config;

import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One environment variable of the sidecar contract, with the command-line option that overrides it.
 *
 * @param name the environment variable
 * @param option the long option that overrides it
 * @param section where it belongs in the reference
 * @param defaultValue the value used when unset or blank, parsed like any other value; null when
 *     there is no literal default
 * @param defaultDoc what the reference says the default is when {@code defaultValue} is null
 * @param description one sentence for {@code --help} and the README
 * @param fallback what App Mesh's agent did with a value it could not use, and so what meshboot
 *     does (with a warning); null when such a value is an error
 */
public record Variable(
    String name,
    String option,
    Section section,
    @Nullable String defaultValue,
    String defaultDoc,
    String description,
    @Nullable Fallback fallback) {

  /**
   * A lenient variable: a value App Mesh's agent did not parse, or found out of range, and replaced
   * (or ignored) while the sidecar started. meshboot uses the same value instead, with one warning
   * naming the variable, the value given and the value used.
   *
   * @param value the text used instead; null for the variable's default (or none, when it has none)
   * @param aboveMax the text used for an integer above the range, when that differs (a maximum)
   * @param unparsable whether a value that does not parse falls back too; when false only values
   *     out of range do, and one that does not parse is an error (App Mesh's agent stopped on it)
   */
  public record Fallback(@Nullable String value, @Nullable String aboveMax, boolean unparsable) {

    /** The default (or none) for any value that cannot be used. */
    public static final Fallback DEFAULT = new Fallback(null, null, true);

    /** The given text for any value that cannot be used. */
    public static Fallback to(String value) {
      return new Fallback(value, null, true);
    }

    /** What the README's variable reference says. */
    public String describe(Variable variable) {
      String used = value != null ? value : variable.defaultText();
      String text = unparsable ? "any unusable value: " + used : "out of range: " + used;
      return aboveMax == null ? text : text + " (" + aboveMax + " above the maximum)";
    }
  }

  /** The option a variable gets unless it names another: its name in lower case with dashes. */
  public static String optionFor(String name) {
    return "--" + name.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Whether the value is a credential: messages never show it. */
  public boolean secret() {
    return SECRETS.contains(name);
  }

  private static final Set<String> SECRETS =
      Set.of("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN");

  /** The default as documentation shows it. */
  public String defaultText() {
    return defaultValue != null ? defaultValue : defaultDoc;
  }

  /** Parts of the reference, in the order of the environment contract. */
  public enum Section {
    IDENTITY("Identity, region and management endpoint"),
    AWS("AWS credentials, STS and metadata endpoints"),
    ADMIN("Envoy admin interface and runtime"),
    STATS("Stats and sinks"),
    TRACING("Tracing (at most one driver)"),
    FILES("User fragments and whole-bootstrap override"),
    METADATA("Node metadata"),
    PROCESS("Envoy process (meshboot run)"),
    INTERCEPT("Traffic interception (meshboot intercept)"),
    AGENT("meshboot itself");

    private final String title;

    Section(String title) {
      this.title = title;
    }

    public String title() {
      return title;
    }
  }
}

package dev.meshboot.bootstrap;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Renders {@code --explain}: each field meshboot set, its value and where it came from. */
public final class Explain {

  /** Field names whose values are secrets in the Envoy API (private keys, passwords, tokens). */
  private static final Pattern SENSITIVE =
      Pattern.compile(
          "(^|[._\\[])(private_key|password|secret|token|credential|api_key|inline_bytes|inline_string)");

  private Explain() {}

  public static String render(List<Provenance> provenance) {
    int width = 0;
    for (Provenance entry : provenance) {
      width = Math.max(width, entry.path().length() + 3 + shown(entry).length());
    }
    width = Math.min(width, 100);
    StringBuilder out = new StringBuilder();
    for (Provenance entry : provenance) {
      String field = entry.path() + " = " + shown(entry);
      out.append(field);
      out.append(" ".repeat(Math.max(1, width - field.length() + 2)));
      out.append("<- ").append(entry.source()).append('\n');
    }
    return out.toString();
  }

  private static String shown(Provenance entry) {
    return SENSITIVE.matcher(entry.path().toLowerCase(Locale.ROOT)).find()
        ? "\"<redacted>\""
        : entry.value();
  }
}

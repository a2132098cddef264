package dev.meshboot.cli;

/** meshboot's exit codes, in one place; the README documents them. */
public enum ExitCode {
  OK(0, "success"),
  INTERNAL(1, "internal error (a bug: please report it with --stacktrace output)"),
  USAGE(2, "bad command line: unknown command or option, missing value"),
  CONFIG(
      3,
      "bad configuration: a variable, option or env file is malformed, or a file cannot be read"),
  INVALID(
      4,
      "invalid bootstrap or mesh definition: a file or the result breaks the Envoy (or App Mesh)"
          + " API, or Envoy rejected it"),
  ENVOY_FAILED(5, "Envoy could not judge the bootstrap: it crashed, hung or could not be started"),
  IO(6, "the output could not be written"),
  RESTARTS_EXHAUSTED(
      7,
      "meshboot run: Envoy kept dying and the restart budget (APPNET_ENVOY_RESTART_COUNT) is spent"),
  ENVOY_REJECTED(8, "meshboot run: Envoy rejected its configuration when it started"),
  NOT_HEALTHY(
      9,
      "healthcheck: not healthy; wait-ready: not ready in time (or the management API does not answer)"),
  INTERCEPT(
      10,
      "intercept: the iptables rules could not be read or changed: iptables is missing, the"
          + " NET_ADMIN capability is missing, or iptables refused the change (then nothing changed)");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  public int code() {
    return code;
  }

  /** The exit code with this number; {@link #INTERNAL} for a number meshboot does not use. */
  public static ExitCode of(int code) {
    for (ExitCode exit : values()) {
      if (exit.code == code) {
        return exit;
      }
    }
    return INTERNAL;
  }

  public String meaning() {
    return meaning;
  }
}

package dev.meshboot.cli;

import dev.meshboot.config.ApiConfig;
import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import dev.meshboot.http.HttpClient;
import dev.meshboot.io.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code meshboot healthcheck} (exit 0 only if {@code /status} says healthy; for ECS container
 * health checks, no curl needed) and {@code meshboot wait-ready} (until {@code /ready}; for
 * Kubernetes postStart and ECS dependsOn). Both ask the running meshboot's management API.
 */
final class ProbeCommand implements Main.Command {

  /** Which probe. */
  enum Kind {
    HEALTHCHECK,
    WAIT_READY
  }

  static final Help.Spec HEALTHCHECK =
      new Help.Spec(
          "healthcheck",
          "healthcheck [--env-file FILE] [variable options]",
          "Asks the running meshboot's management API (APPNET_AGENT_ADMIN_MODE: TCP or its socket)"
              + "\nfor /status; exits 0 when healthy, 9 otherwise, printing the status.",
          Generation.COMMON_OPTIONS,
          true);

  static final Help.Spec WAIT_READY =
      new Help.Spec(
          "wait-ready",
          "wait-ready [--timeout SECONDS] [--interval SECONDS] [--env-file FILE] [variable options]",
          "Polls the running meshboot's /ready every --interval seconds"
              + "\n(APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S) until Envoy has accepted its initial"
              + "\nconfiguration; exits 9 after --timeout seconds"
              + " (APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S).",
          java.util.stream.Stream.concat(
                  java.util.stream.Stream.of(
                      new String[] {
                        "--timeout <seconds>",
                        "how long to wait (1-86400; overrides APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S)"
                      },
                      new String[] {
                        "--interval <seconds>",
                        "time between checks (1-3600; overrides APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S)"
                      }),
                  Generation.COMMON_OPTIONS.stream())
              .toList(),
          true);

  private final Main.Context context;
  private final Kind kind;

  ProbeCommand(Main.Context context, Kind kind) {
    this.context = context;
    this.kind = kind;
  }

  @Override
  public ExitCode call(List<String> argv) {
    String name = kind == Kind.HEALTHCHECK ? "healthcheck" : "wait-ready";
    Args args =
        Args.parse(
            name,
            argv,
            kind == Kind.HEALTHCHECK
                ? Set.of("--env-file")
                : Set.of("--env-file", "--timeout", "--interval"),
            Set.of("--stacktrace", "-h", "--help"),
            true);
    if (args.flag("-h", "--help")) {
      context.out().print(Help.command(kind == Kind.HEALTHCHECK ? HEALTHCHECK : WAIT_READY));
      return ExitCode.OK;
    }
    dev.meshboot.config.Environment environment = Generation.environment(context, args);
    ConfigReader reader = new ConfigReader(environment);
    try (Transport transport = Transport.open()) {
      return probe(
          new HttpClient(transport, ApiConfig.from(environment).probeEndpoint()), args, reader);
    }
  }

  private ExitCode probe(HttpClient http, Args args, ConfigReader reader) {
    if (kind == Kind.HEALTHCHECK) {
      return get(http, "/status")
          .map(status -> status == 200 ? ExitCode.OK : ExitCode.NOT_HEALTHY)
          .orElse(ExitCode.NOT_HEALTHY);
    }
    Duration interval =
        seconds(
            args,
            "--interval",
            reader,
            Variables.APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S,
            3600);
    Duration timeout =
        seconds(
            args,
            "--timeout",
            reader,
            Variables.APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S,
            86_400);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (get(http, "/ready").orElse(0) == 200) {
        return ExitCode.OK;
      }
      if (System.nanoTime() + interval.toNanos() > deadline) {
        context
            .err()
            .println(
                "meshboot: Envoy not ready within "
                    + timeout.toSeconds()
                    + "s ("
                    + http.endpoint()
                    + "/ready)");
        return ExitCode.NOT_HEALTHY;
      }
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ExitCode.NOT_HEALTHY;
      }
    }
  }

  /**
   * {@code --timeout}/{@code --interval}: whole seconds from 1 to {@code max}; without the option,
   * the variable it overrides.
   */
  private static Duration seconds(
      Args args, String option, ConfigReader reader, Variable variable, int max) {
    String value = args.value(option);
    if (value == null) {
      return Duration.ofSeconds(reader.integer(variable, 1, max).orElseThrow());
    }
    try {
      int seconds = Integer.parseInt(value.trim());
      if (seconds >= 1 && seconds <= max) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(
        "wait-ready",
        option + ": expected whole seconds from 1 to " + max + " but got \"" + value + "\"");
  }

  /** The status code, printing the body; empty (and a message) when the API does not answer. */
  private java.util.Optional<Integer> get(HttpClient http, String path) {
    try {
      HttpClient.Response response = http.send("GET", path, Duration.ofSeconds(2));
      if (kind == Kind.HEALTHCHECK) {
        context.out().print(response.body());
      }
      return java.util.Optional.of(response.status());
    } catch (IOException e) {
      if (kind == Kind.HEALTHCHECK) {
        context
            .err()
            .println(
                "meshboot: the management API does not answer ("
                    + e.getMessage()
                    + "); is meshboot run serving it (APPNET_AGENT_ADMIN_MODE)?");
      }
      return java.util.Optional.empty();
    }
  }
}

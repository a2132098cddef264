package dev.meshboot.envoy;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.EnvoyBuild;
import dev.meshboot.config.Variables;
import dev.meshboot.log.Log;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the Envoy binary and asks it what it is. */
public final class EnvoyBinary {

  private static final Log log = Log.of(EnvoyBinary.class);

  /** {@code envoy --version} normally answers in ~50 ms; a hung binary must not stall start-up. */
  static final Duration VERSION_TIMEOUT = Duration.ofSeconds(5);

  /** {@code [time][tid][critical][main] [source/file.cc:76] message}. */
  private static final Pattern ERROR_LINE =
      Pattern.compile("\\]\\[(?:critical|error)\\]\\[[^\\]]*\\] (?:\\[[^\\]]*\\] )?(.*)$");

  private final Path path;
  private final ProcessRunner runner;
  private final Optional<VersionCache> cache;

  EnvoyBinary(Path path, ProcessRunner runner) {
    this(path, runner, Optional.empty());
  }

  private EnvoyBinary(Path path, ProcessRunner runner, Optional<VersionCache> cache) {
    this.path = path;
    this.runner = runner;
    this.cache = cache;
  }

  /** This binary, remembering its version in {@code cache}. */
  public EnvoyBinary cachingVersionIn(VersionCache cache) {
    return new EnvoyBinary(path, runner, Optional.of(cache));
  }

  public Path path() {
    return path;
  }

  /**
   * The binary named by {@code ENVOY_BIN} (which must exist), else {@code envoy} on the {@code
   * PATH}, else {@code /usr/bin/envoy}; empty when there is none.
   *
   * @param pathVariable the process's {@code PATH}
   */
  public static Optional<EnvoyBinary> find(
      ConfigReader reader, String pathVariable, ProcessRunner runner) {
    Optional<Path> given = reader.path(Variables.ENVOY_BIN);
    if (given.isPresent()) {
      if (!Files.isRegularFile(given.get()) || !Files.isExecutable(given.get())) {
        throw new ConfigException(
            Variables.ENVOY_BIN.name(), "ENVOY_BIN: " + given.get() + " is not an executable file");
      }
      return Optional.of(new EnvoyBinary(given.get(), runner));
    }
    for (String dir : pathVariable.split(File.pathSeparator, -1)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, "envoy");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(new EnvoyBinary(candidate, runner));
        }
      }
    }
    Path fallback = Path.of("/usr/bin/envoy");
    return Files.isExecutable(fallback)
        ? Optional.of(new EnvoyBinary(fallback, runner))
        : Optional.empty();
  }

  /**
   * What {@code envoy --version} says; empty (and logged) when it fails, hangs or says nothing
   * useful.
   */
  public Optional<EnvoyBuild> build() {
    Optional<String> cached = cache.flatMap(c -> c.get(path));
    if (cached.isPresent()) {
      Optional<EnvoyBuild> build = EnvoyBuild.parse(cached.get());
      if (build.isPresent()) {
        log.debug("envoy build (cached)", "envoy", path, "release", build.get().release());
        return build;
      }
    }
    ProcessRunner.Result result;
    try {
      result = runner.run(List.of(path.toString(), "--version"), VERSION_TIMEOUT);
    } catch (IOException e) {
      log.warn(
          "cannot run envoy --version; treating the build as unknown (not FIPS)",
          "envoy",
          path,
          "error",
          e.getMessage());
      return Optional.empty();
    }
    if (result.timedOut() || result.exitCode() != 0) {
      log.warn(
          "envoy --version failed; treating the build as unknown (not FIPS)",
          "envoy",
          path,
          "exit",
          result.timedOut()
              ? "timeout after " + VERSION_TIMEOUT.toSeconds() + "s"
              : result.exitCode(),
          "output",
          result.tail(3));
      return Optional.empty();
    }
    Optional<EnvoyBuild> build = EnvoyBuild.parse(result.stdout());
    if (build.isEmpty()) {
      log.warn(
          "envoy --version names no release; treating the build as unknown (not FIPS)",
          "envoy",
          path,
          "output",
          result.tail(3));
    } else {
      log.debug(
          "envoy build",
          "envoy",
          path,
          "release",
          build.get().release(),
          "fips",
          build.get().fips());
      cache.ifPresent(c -> c.put(path, result.stdout()));
    }
    return build;
  }

  /**
   * Starts {@code envoy --version} on a background thread; the Envoy process runs beside the
   * agent's own start-up instead of after it.
   */
  public java.util.function.Supplier<Optional<EnvoyBuild>> buildInBackground() {
    java.util.concurrent.FutureTask<Optional<EnvoyBuild>> task =
        new java.util.concurrent.FutureTask<>(this::build);
    Thread thread = new Thread(task, "meshboot-envoy-version");
    thread.setDaemon(true);
    thread.start();
    return () -> {
      try {
        return task.get(
            VERSION_TIMEOUT.toMillis() + 2000, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        log.warn(
            "envoy --version did not answer; treating the build as unknown (not FIPS)",
            "error",
            e.toString());
        return Optional.empty();
      }
    };
  }

  /** The outcome of {@code envoy --mode validate}. */
  public sealed interface Verdict {
    /** Envoy accepted the bootstrap. */
    record Accepted() implements Verdict {}

    /** Envoy rejected it; {@code reason} is its error output. */
    record Rejected(String reason) implements Verdict {}

    /** Envoy could not judge: it crashed, hung or could not be started. */
    record Failed(String reason) implements Verdict {}
  }

  /**
   * Runs {@code envoy --mode validate -c <file>} with a timeout (it has crashed on some inputs).
   */
  public Verdict validate(Path bootstrap, Duration timeout) {
    List<String> command =
        List.of(
            path.toString(),
            "--mode",
            "validate",
            "-c",
            bootstrap.toString(),
            "-l",
            "error",
            "--disable-hot-restart");
    String quoted = String.join(" ", command);
    ProcessRunner.Result result;
    try {
      result = runner.run(command, timeout);
    } catch (IOException e) {
      return new Verdict.Failed("could not run `" + quoted + "`: " + e.getMessage());
    }
    if (result.timedOut()) {
      return new Verdict.Failed(
          "`" + quoted + "` did not finish within " + timeout.toSeconds() + "s and was killed");
    }
    return switch (result.exitCode()) {
      case 0 -> new Verdict.Accepted();
      case 1 -> new Verdict.Rejected(reason(result));
      default ->
          new Verdict.Failed(
              "`"
                  + quoted
                  + "` crashed (exit "
                  + result.exitCode()
                  + describeSignal(result.exitCode())
                  + "):\n"
                  + result.tail(10));
    };
  }

  /**
   * Envoy's error lines without their log prefix; it follows the reason with a dump of the whole
   * configuration, which is dropped.
   */
  static String reason(ProcessRunner.Result result) {
    List<String> errors = new java.util.ArrayList<>();
    for (String line : (result.stderr() + "\n" + result.stdout()).lines().toList()) {
      Matcher error = ERROR_LINE.matcher(line);
      if (error.find()) {
        errors.add(error.group(1).replaceFirst(": \\{$", ""));
      }
    }
    return errors.isEmpty() ? result.tail(5) : String.join("\n", errors);
  }

  private static String describeSignal(int exit) {
    return exit > 128 && exit < 160 ? ", signal " + (exit - 128) : "";
  }
}

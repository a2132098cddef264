package dev.meshboot.cli;

import dev.meshboot.bootstrap.BootstrapWriter;
import dev.meshboot.bootstrap.Bootstraps;
import dev.meshboot.bootstrap.EnvoySchema;
import dev.meshboot.bootstrap.InvalidBootstrapException;
import dev.meshboot.envoy.EnvoyBinary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code meshboot validate [FILE]}: a strict parse and the Envoy API's validation rules, then
 * {@code envoy --mode validate} when an Envoy binary is available.
 */
final class ValidateCommand implements Main.Command {

  static final Help.Spec SPEC =
      new Help.Spec(
          "validate",
          "validate [FILE] [--require-envoy] [--envoy-timeout SECONDS] [--env-file FILE] [variable options]",
          "Checks FILE, or the bootstrap the environment gives when there is no FILE: a strict parse"
              + "\n(unknown fields, wrong @type, bad enums and numbers are errors), the Envoy API's validation"
              + "\nrules, then `envoy --mode validate` when an Envoy binary is found (ENVOY_BIN, PATH).",
          options(),
          true);

  static final String AWS_IAM_PLUGIN = "envoy.grpc_credentials.aws_iam";

  private final Main.Context context;

  ValidateCommand(Main.Context context) {
    this.context = context;
  }

  private static List<String[]> options() {
    List<String[]> options = new ArrayList<>();
    options.add(
        new String[] {
          "--require-envoy",
          "fail (exit 5) when no Envoy binary is found, instead of skipping its check"
        });
    options.add(
        new String[] {
          "--envoy-timeout <seconds>", "how long Envoy may take to judge (default 30)"
        });
    options.addAll(Generation.COMMON_OPTIONS);
    return List.copyOf(options);
  }

  @Override
  public ExitCode call(List<String> argv) {
    Args args =
        Args.parse(
            "validate",
            argv,
            Set.of("--env-file", "--envoy-timeout"),
            Set.of("--require-envoy", "--stacktrace", "-h", "--help"),
            true);
    if (args.flag("-h", "--help")) {
      context.out().print(Help.command(SPEC));
      return ExitCode.OK;
    }
    if (args.positional().size() > 1) {
      throw new UsageException(
          "validate", "expected at most one FILE but got " + args.positional());
    }
    Duration timeout = timeout(args.value("--envoy-timeout"));
    boolean temporary = args.positional().isEmpty();
    Generation generation =
        new Generation(context, args, temporary ? EnvoySchema.Scope.CORE : EnvoySchema.Scope.FULL);

    Path file;
    String subject;
    String text;
    if (temporary) {
      Generation.Result result = generation.render();
      text =
          BootstrapWriter.text(
              result.rendered().bootstrap(), result.schema(), BootstrapWriter.Format.JSON);
      subject = "the bootstrap of this environment";
      try {
        file = Files.createTempFile("meshboot-validate", ".json");
        Files.writeString(file, text);
      } catch (IOException e) {
        throw new Main.OutputException("cannot write a temporary file for Envoy: " + e, e);
      }
    } else {
      file = Path.of(args.positional().get(0));
      subject = file.toString();
      EnvoySchema schema = generation.schema(EnvoySchema.Scope.FULL);
      var rendered = Bootstraps.fromFile(file, "file", schema);
      text = BootstrapWriter.text(rendered.bootstrap(), schema, BootstrapWriter.Format.JSON);
    }
    context
        .out()
        .println(subject + ": passes the strict parse and the Envoy API's validation rules");
    try {
      return envoyCheck(generation, args.flag("--require-envoy"), file, subject, text, timeout);
    } finally {
      if (temporary) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // a leftover temporary file is harmless
        }
      }
    }
  }

  private ExitCode envoyCheck(
      Generation generation,
      boolean required,
      Path file,
      String subject,
      String text,
      Duration timeout) {
    Optional<EnvoyBinary> envoy = generation.envoy();
    if (envoy.isEmpty()) {
      String message =
          "no Envoy binary found to run `envoy --mode validate` (set ENVOY_BIN, or put envoy on PATH)";
      if (required) {
        throw new Main.EnvoyFailedException(message);
      }
      context.out().println(subject + ": Envoy's own check skipped: " + message);
      return ExitCode.OK;
    }
    EnvoyBinary.Verdict verdict = envoy.get().validate(file, timeout);
    switch (verdict) {
      case EnvoyBinary.Verdict.Accepted accepted -> {
        context.out().println(subject + ": accepted by " + envoy.get().path() + " --mode validate");
        return ExitCode.OK;
      }
      case EnvoyBinary.Verdict.Rejected rejected -> {
        String hint =
            text.contains(AWS_IAM_PLUGIN)
                ? "\nThe bootstrap signs the xDS stream with Envoy's "
                    + AWS_IAM_PLUGIN
                    + " call credentials"
                    + " (MESHBOOT_XDS_MODE=aws-iam), a plugin that upstream Envoy removed in 1.35, so this"
                    + " Envoy cannot load it. Use MESHBOOT_XDS_MODE=relay (or auto), where meshboot signs the"
                    + " stream for Envoy, or run an AWS-patched Envoy 1.34 or older."
                : "";
        throw new InvalidBootstrapException(
            subject
                + ": rejected by "
                + envoy.get().path()
                + " --mode validate:\n"
                + rejected.reason()
                + hint);
      }
      case EnvoyBinary.Verdict.Failed failed ->
          throw new Main.EnvoyFailedException(subject + ": " + failed.reason());
    }
  }

  private static Duration timeout(@org.jspecify.annotations.Nullable String given) {
    if (given == null) {
      return Duration.ofSeconds(30);
    }
    try {
      int seconds = Integer.parseInt(given.trim());
      if (seconds >= 1) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(
        "validate", "--envoy-timeout: expected a number of seconds >= 1 but got \"" + given + "\"");
  }
}

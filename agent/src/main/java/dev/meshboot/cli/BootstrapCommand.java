package dev.meshboot.cli;

import dev.meshboot.bootstrap.BootstrapWriter;
import dev.meshboot.bootstrap.BootstrapWriter.Format;
import dev.meshboot.bootstrap.EnvoySchema;
import dev.meshboot.bootstrap.Explain;
import dev.meshboot.bootstrap.SideFile;
import dev.meshboot.config.InputFiles;
import dev.meshboot.io.AtomicFiles;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** {@code meshboot bootstrap}: renders, validates and writes the bootstrap. */
final class BootstrapCommand implements Main.Command {

  static final Help.Spec SPEC =
      new Help.Spec(
          "bootstrap",
          "bootstrap [-o FILE|-] [--format json|yaml] [--explain] [--env-file FILE] [variable options]",
          "Writes the Envoy bootstrap for the sidecar environment, after checking it against the Envoy"
              + "\nAPI's rules. A file is written atomically (mode 0640); on any error it is left as it was.",
          options(),
          true);

  private static final Log log = Log.of(BootstrapCommand.class);

  private final Main.Context context;

  BootstrapCommand(Main.Context context) {
    this.context = context;
  }

  private static List<String[]> options() {
    List<String[]> options = new ArrayList<>();
    options.add(
        new String[] {
          "-o, --output <file|->", "where to write the bootstrap; - (the default) is stdout"
        });
    options.add(
        new String[] {
          "--format <json|yaml>", "output format; default from the file's extension, else json"
        });
    options.add(
        new String[] {
          "--explain", "print where each field came from (stdout with -o FILE, else stderr)"
        });
    options.addAll(Generation.COMMON_OPTIONS);
    return List.copyOf(options);
  }

  @Override
  public ExitCode call(List<String> argv) {
    Args args =
        Args.parse(
            "bootstrap",
            argv,
            Set.of("-o", "--output", "--format", "--env-file"),
            Set.of("--explain", "--stacktrace", "-h", "--help"),
            true);
    if (args.flag("-h", "--help")) {
      context.out().print(Help.command(SPEC));
      return ExitCode.OK;
    }
    if (!args.positional().isEmpty()) {
      throw new UsageException(
          "bootstrap", "unexpected argument \"" + args.positional().get(0) + "\"");
    }
    String output = args.value("-o", "--output");
    @Nullable Path file = output == null || output.equals("-") ? null : Path.of(output);
    Format format = format(args.value("--format"), file);

    String report = context.environment().get(LaunchRecord.REPORT);
    if (report != null && !report.isEmpty()) {
      InputFiles.remember(); // for `meshboot run`'s launch record: what the bootstrap is made from
    }
    Generation generation = new Generation(context, args, EnvoySchema.Scope.CORE);
    Generation.Result result = generation.render();
    String text = BootstrapWriter.text(result.rendered().bootstrap(), result.schema(), format);
    for (SideFile side : result.rendered().sideFiles()) {
      RunCommand.writeSideFile(side);
      log.info("wrote", "file", side.path());
    }
    try {
      if (file == null) {
        context.out().print(text);
      } else {
        BootstrapWriter.writeAtomically(file, text);
        remember(generation, result, format, text);
        var reads = InputFiles.reads();
        if (report != null && !report.isEmpty() && reads.isPresent()) {
          writeReport(Path.of(report), reads.get(), result.rendered().sideFiles());
        }
        log.info(
            "wrote bootstrap",
            "file",
            file,
            "format",
            format.name().toLowerCase(java.util.Locale.ROOT));
      }
    } catch (IOException e) {
      throw new Main.OutputException(
          "cannot write " + (file == null ? "the bootstrap" : file) + ": " + e, e);
    }
    if (args.flag("--explain")) {
      (file == null ? context.err() : context.out())
          .print(Explain.render(result.rendered().provenance()));
    }
    return ExitCode.OK;
  }

  /**
   * Reports what the bootstrap was made from to {@code meshboot run} ({@code
   * MESHBOOT_RENDER_REPORT}); a report that cannot be written only costs the next start its launch
   * record.
   */
  private static void writeReport(
      Path report, List<InputFiles.Read> reads, List<SideFile> sideFiles) {
    try {
      AtomicFiles.writeOutput(
          report,
          LaunchRecord.report(reads, sideFiles).getBytes(java.nio.charset.StandardCharsets.UTF_8),
          AtomicFiles.MODE_0600);
    } catch (IOException | RuntimeException e) {
      log.debug("cannot report the files read", "file", report, "error", e.toString());
    }
  }

  /**
   * Remembers what the user's whole bootstrap validated into (in the cache directory), so that
   * {@code meshboot run} does not validate the same file again ({@link ValidatedConfigFiles}).
   */
  private static void remember(
      Generation generation, Generation.Result result, Format format, String text) {
    if (result.whole().isEmpty()) {
      return;
    }
    Generation.WholeFile whole = result.whole().get();
    Optional<ValidatedConfigFiles> validated = generation.validatedConfigFiles();
    Optional<ValidatedConfigFiles.Key> key =
        ValidatedConfigFiles.key(
            whole.file(),
            whole.content(),
            format.name(),
            generation.envoy().map(dev.meshboot.envoy.EnvoyBinary::path));
    if (validated.isPresent() && key.isPresent()) {
      validated.get().put(key.get(), text);
    }
  }

  static Format format(@Nullable String given, @Nullable Path file) {
    if (given == null) {
      return file == null ? Format.JSON : Format.forFile(file);
    }
    Format format = Format.parse(given);
    if (format == null) {
      throw new UsageException(
          "bootstrap", "--format: expected json or yaml but got \"" + given + "\"");
    }
    return format;
  }
}

package dev.meshboot.cli;

import dev.meshboot.aws.FakeImds;
import dev.meshboot.aws.FakeServer;
import dev.meshboot.config.HostFacts;
import dev.meshboot.envoy.ProcessRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The scenario environments under {@code src/test/resources/scenarios}, run through the CLI in
 * process with fixed host facts and a fake {@code envoy --version}.
 *
 * <p>A scenario is a Docker-style env file. {@code @SCENARIOS@} stands for the scenario directory
 * and {@code @TMP@} for a temporary directory; a {@code # envoy: <version>} line makes {@code envoy
 * --version} answer with that version, otherwise there is no Envoy.
 *
 * <p>Metadata services are loopback fakes: {@code # task-metadata: <file>|<status>} serves the file
 * (under the scenario directory) or the HTTP status as ECS task metadata at
 * {@code @TASK_METADATA@}; {@code # imds: <region> <zone> [<zone-id>]} serves IMDSv2 (token
 * required) at {@code @IMDS@}. Without an imds line, instance metadata is disabled, so no scenario
 * ever reaches a real metadata address.
 */
final class Scenarios {

  static final Path DIR = Path.of("src/test/resources/scenarios").toAbsolutePath();
  static final Path GOLDEN = Path.of("src/test/resources/golden").toAbsolutePath();

  static final HostFacts FACTS =
      new HostFacts(
          List.of(
              new HostFacts.NetworkInterface(
                  "eth0", List.of("10.0.1.23/24"), List.of("fd00::17/64")),
              new HostFacts.NetworkInterface("lo", List.of("127.0.0.1/8"), List.of("::1/128"))),
          "x86_64",
          "6.1.0-meshboot",
          Path.of("/etc/ssl/certs/ca-certificates.crt"));

  private Scenarios() {}

  static Stream<String> names() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.endsWith(".env"))
          .map(name -> name.substring(0, name.length() - 4))
          .sorted()
          .toList()
          .stream();
    }
  }

  /** The outcome of one run. */
  record Run(int exitCode, String stdout, String stderr, String output, Path tmp) {
    /** The text a golden file holds: the bootstrap, or the exit code and the error. */
    String golden() {
      return exitCode == 0 ? output : "exit " + exitCode + "\n" + stderr;
    }
  }

  /** Runs {@code meshboot <command> --env-file <scenario> [args]} with output to a temp file. */
  static Run run(String scenario, Path tmp, String command, String... args) {
    try (Fakes fakes = Fakes.of(Files.readString(DIR.resolve(scenario + ".env")))) {
      return run(scenario, tmp, fakes, command, args);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Run run(String scenario, Path tmp, Fakes fakes, String command, String... args) {
    Path envFile = tmp.resolve(scenario + ".env");
    Path out = tmp.resolve("bootstrap.json");
    try {
      String text =
          fakes.fill(
              Files.readString(DIR.resolve(scenario + ".env"))
                  .replace("@SCENARIOS@", DIR.toString())
                  .replace("@TMP@", tmp.toString()));
      Files.writeString(envFile, text);
      Files.writeString(out, "previous\n");
      Map<String, String> process = new HashMap<>();
      process.put("PATH", "");
      if (fakes.imds == null) {
        process.put("AWS_EC2_METADATA_DISABLED", "true");
      }
      String version = null;
      for (String line : text.lines().toList()) {
        if (line.startsWith("# envoy: ")) {
          version = line.substring("# envoy: ".length());
          process.put("ENVOY_BIN", "/bin/true");
        }
      }
      String versionLine = version;
      ProcessRunner fake =
          (argv, timeout) -> {
            if (versionLine != null && argv.equals(List.of("/bin/true", "--version"))) {
              return new ProcessRunner.Result(
                  0, false, "\n/usr/local/bin/envoy  version: " + versionLine + "\n", "");
            }
            throw new IOException("no such command in this test: " + argv);
          };
      ByteArrayOutputStream stdout = new ByteArrayOutputStream();
      ByteArrayOutputStream stderr = new ByteArrayOutputStream();
      List<String> argv = new ArrayList<>(List.of(command, "--env-file", envFile.toString()));
      if (command.equals("bootstrap")) {
        argv.addAll(List.of("-o", out.toString()));
      }
      argv.addAll(List.of(args));
      PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
      dev.meshboot.log.Log.redirect(
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      int code =
          Main.run(
              argv,
              new Main.Context(
                  process,
                  new PrintStream(stdout, true, StandardCharsets.UTF_8),
                  err,
                  fake,
                  () -> FACTS));
      return new Run(
          code,
          fakes.normalize(normalize(stdout.toString(StandardCharsets.UTF_8), tmp)),
          fakes.normalize(normalize(stderr.toString(StandardCharsets.UTF_8), tmp)),
          fakes.normalize(normalize(Files.readString(out), tmp)),
          tmp);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The metadata fakes a scenario asks for. */
  private static final class Fakes implements AutoCloseable {
    static final String TASK_PATH = "/v4/0f2b8c7e-task";

    @Nullable FakeServer task;
    @Nullable FakeImds imds;

    static Fakes of(String scenario) throws IOException {
      Fakes fakes = new Fakes();
      for (String line : scenario.lines().toList()) {
        if (line.startsWith("# task-metadata: ")) {
          String spec = line.substring("# task-metadata: ".length()).trim();
          FakeServer.Answer answer =
              spec.matches("\\d{3}")
                  ? FakeServer.Answer.status(Integer.parseInt(spec))
                  : FakeServer.Answer.json(Files.readString(DIR.resolve(spec)));
          fakes.task = new FakeServer().route("GET", TASK_PATH + "/task", request -> answer);
        } else if (line.startsWith("# imds: ")) {
          List<String> words =
              List.of(line.substring("# imds: ".length()).trim().split("\\s+", -1));
          fakes.imds =
              new FakeImds(words.get(0))
                  .placement(words.get(1), words.size() > 2 ? words.get(2) : null);
        }
      }
      return fakes;
    }

    String fill(String text) {
      String filled = text;
      if (task != null) {
        filled = filled.replace("@TASK_METADATA@", task.url() + TASK_PATH);
      }
      if (imds != null) {
        filled = filled.replace("@IMDS@", imds.url());
      }
      return filled;
    }

    String normalize(String text) {
      String normalized = text;
      if (task != null) {
        normalized = normalized.replace(task.url() + TASK_PATH, "@TASK_METADATA@");
      }
      if (imds != null) {
        normalized = normalized.replace(imds.url(), "@IMDS@");
      }
      return normalized;
    }

    @Override
    public void close() {
      if (task != null) {
        task.close();
      }
      if (imds != null) {
        imds.close();
      }
    }
  }

  static String normalize(String text, Path tmp) {
    return text.replace(DIR.toString(), "@SCENARIOS@").replace(tmp.toString(), "@TMP@");
  }
}

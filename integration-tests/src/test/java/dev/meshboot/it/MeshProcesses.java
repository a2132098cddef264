package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The processes of the mesh control plane's integration tests: meshboot (the shaded jar, with the
 * test loader and translator: {@link TestMeshMain}) and Envoys started from the bootstraps meshboot
 * renders, plus requests through them.
 */
final class MeshProcesses {

  static final String CART = "arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/cart";
  static final String PAYMENTS =
      "arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/payments";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final List<Process> processes = new ArrayList<>();

  /**
   * Starts {@code java -cp meshboot.jar:<tests> TestMeshMain argv} with {@code environment} (plus
   * PATH and HOME), output to {@code log}.
   */
  Process meshboot(Path log, Map<String, String> environment, String... argv) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(classPath());
    command.add(TestMeshMain.class.getName());
    command.addAll(List.of(argv));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().put("HOME", log.getParent().toString());
    builder.environment().putAll(environment);
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  /**
   * The shaded jar first (what users run), then this module's test classes and the agent's test jar
   * (the test loader and translator).
   */
  private static String classPath() {
    List<String> entries = new ArrayList<>();
    entries.add(System.getProperty("meshboot.jar"));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
      if (entry.contains("test-classes") || entry.contains("tests.jar")) {
        entries.add(entry);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /** Envoy with {@code bootstrap}, its output to {@code log}. */
  Process envoy(Path bootstrap, Path log) throws IOException {
    Process envoy =
        new ProcessBuilder(
                Envoy.path().toString(),
                "-c",
                bootstrap.toString(),
                "--base-id",
                Long.toString((ProcessHandle.current().pid() * 7 + processes.size()) % 100000),
                "--disable-hot-restart",
                "-l",
                "info")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    processes.add(envoy);
    return envoy;
  }

  /** Renders the bootstrap of {@code node} with {@code environment} into {@code file}. */
  static void bootstrap(Path file, String node, int adminPort, Map<String, String> environment)
      throws IOException {
    Map<String, String> env = new java.util.HashMap<>(environment);
    env.put("APPMESH_RESOURCE_ARN", node);
    env.put("ENVOY_ADMIN_ACCESS_PORT", Integer.toString(adminPort));
    env.put("ENVOY_ADMIN_ACCESS_LOG_FILE", file.resolveSibling("admin.log").toString());
    Cli.Result rendered = Cli.run(env, "bootstrap", "-o", file.toString());
    assertThat(rendered.exitCode()).as(rendered.stderr()).isZero();
  }

  /** The response to {@code GET http://127.0.0.1:port/path}, or null when none came. */
  static HttpResponse<String> request(int port, String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(2))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The body answered on {@code port}, or the error in words. */
  static String answer(int port) {
    HttpResponse<String> response = request(port, "/");
    return response == null ? "(no answer)" : response.statusCode() + " " + response.body();
  }

  /** The control plane's {@code /status}. */
  static JsonObject status(int adminPort) {
    return JsonParser.parseString(Local.get(adminPort, "/status")).getAsJsonObject();
  }

  /** The node's entry of the control plane's {@code /status}. */
  static JsonObject node(int adminPort, String node) {
    return status(adminPort).getAsJsonObject("nodes").getAsJsonObject(node);
  }

  /** Stops every process started, newest first. */
  void stop() throws InterruptedException {
    for (Process process : processes.reversed()) {
      if (process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }

  /** {@code text} or the contents of {@code log}. */
  static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(cannot read " + log + ")";
    }
  }
}

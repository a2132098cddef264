package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The processes of the mesh control plane's integration tests: meshboot (the shaded jar, as users
 * run it) and Envoys started from the bootstraps meshboot renders, in the test's network namespace
 * or in a {@link Netns} of their own.
 */
final class MeshProcesses {

  static final String CART = "arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/cart";
  static final String PAYMENTS =
      "arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/payments";

  private final List<Process> processes = new ArrayList<>();

  /**
   * Starts {@code java -jar meshboot.jar argv} with {@code environment} (plus PATH and HOME),
   * output to {@code log}, in {@code pod} if given.
   */
  Process meshboot(Path log, Map<String, String> environment, @Nullable Netns pod, String... argv)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ReleaseJava.java());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-jar");
    command.add(System.getProperty("meshboot.jar"));
    command.addAll(List.of(argv));
    // ip netns exec passes its environment on: the process gets exactly this one either way.
    List<String> full = new ArrayList<>(List.of("env", "-i"));
    full.add("PATH=" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    full.add("HOME=" + log.getParent());
    environment.forEach((name, value) -> full.add(name + "=" + value));
    full.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
    Process process = pod == null ? builder.start() : pod.start(builder);
    processes.add(process);
    return process;
  }

  /** Envoy with {@code bootstrap} in {@code pod}, its output to {@code log}. */
  Process envoy(Netns pod, Path bootstrap, Path log) throws IOException {
    Process envoy =
        pod.start(
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
                .redirectOutput(log.toFile()));
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

  /** The control plane's {@code /status}, its admin API on {@code adminPort} in {@code pod}. */
  static JsonObject status(@Nullable Netns pod, int adminPort) {
    String body = pod == null ? Local.get(adminPort, "/status") : page(pod, adminPort, "/status");
    return JsonParser.parseString(body).getAsJsonObject();
  }

  /** The node's entry of the control plane's {@code /status}. */
  static JsonObject node(@Nullable Netns pod, int adminPort, String node) {
    return status(pod, adminPort).getAsJsonObject("nodes").getAsJsonObject(node);
  }

  /**
   * The body of {@code GET http://127.0.0.1:<port><path>} from inside {@code pod} (an admin page),
   * or its status and body if it is not 200.
   */
  static String page(Netns pod, int port, String path) {
    String answer = pod.curl(3, "http://127.0.0.1:" + port + path);
    return answer.startsWith("200 ") ? answer.substring(4) : answer;
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

package dev.meshboot.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace the test creates with {@code ip netns}, standing for a pod or task: App
 * Mesh's listeners bind 0.0.0.0:15000 and :15001, so each Envoy of a test runs in one of its own,
 * as each ran in its own task. Processes run inside with {@code ip netns exec}; requests inside are
 * made by curl there. Unix sockets are files, reachable from every namespace: a control plane on
 * one serves Envoys in any pod. Needs root and iproute2; without them the test fails, it does not
 * skip.
 */
final class Pod implements AutoCloseable {

  private static final AtomicInteger COUNT = new AtomicInteger();

  private final String name;
  private final List<Process> processes = new ArrayList<>();

  private Pod(String name) {
    this.name = name;
  }

  /** A new namespace with its loopback up. */
  static Pod create() throws Exception {
    Pod pod = new Pod("mbs" + ProcessHandle.current().pid() + "x" + COUNT.incrementAndGet());
    run(List.of("ip", "netns", "add", pod.name));
    run(pod.inside(List.of("ip", "link", "set", "lo", "up")));
    return pod;
  }

  /** {@code command} as run inside the namespace. */
  List<String> inside(List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(command);
    return full;
  }

  /** Starts {@code command} inside, its output to {@code log}; {@link #close} kills it. */
  Process start(List<String> command, Path log) throws IOException {
    Process process =
        new ProcessBuilder(inside(command))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    processes.add(process);
    return process;
  }

  /**
   * Starts an HTTP server inside on 127.0.0.1:{@code port} answering every request {@code text}.
   */
  void app(int port, String text, Path log) throws IOException {
    start(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            App.class.getName(),
            Integer.toString(port),
            text),
        log);
  }

  /**
   * {@code GET http://127.0.0.1:<port><path>} from inside, with {@code host} as the Host header
   * when given: {@code <status> <body>}, or why there was no answer.
   */
  String get(int port, String path, String host) {
    List<String> command =
        new ArrayList<>(List.of("curl", "-s", "-m", "3", "-w", "\n%{http_code}"));
    if (host != null) {
      command.addAll(List.of("-H", "Host: " + host));
    }
    command.add("http://127.0.0.1:" + port + path);
    try {
      Process curl = new ProcessBuilder(inside(command)).redirectErrorStream(true).start();
      String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!curl.waitFor(10, TimeUnit.SECONDS) || curl.exitValue() != 0) {
        return "(no answer: curl exit " + (curl.isAlive() ? "timeout" : curl.exitValue()) + ")";
      }
      int status = out.lastIndexOf('\n');
      return out.substring(status + 1) + " " + out.substring(0, status);
    } catch (IOException e) {
      return "(no answer: " + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  /** The body of {@code GET http://127.0.0.1:<port><path>} from inside (an admin page). */
  String body(int port, String path) {
    String answer = get(port, path, null);
    return answer.startsWith("200 ") ? answer.substring(4) : answer;
  }

  @Override
  public void close() throws IOException {
    try {
      for (Process process : processes.reversed()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      run(List.of("ip", "netns", "del", name));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new AssertionError(
          String.join(" ", command)
              + " failed (the mesh serving tests need root and iproute2): "
              + out);
    }
  }

  /** The pod's application: answers every request with its text. */
  static final class App {

    private App() {}

    public static void main(String[] args) throws IOException {
      byte[] text = args[1].getBytes(StandardCharsets.UTF_8);
      HttpServer server =
          HttpServer.create(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])),
              64);
      server.createContext(
          "/",
          exchange -> {
            exchange.sendResponseHeaders(200, text.length);
            try (OutputStream body = exchange.getResponseBody()) {
              body.write(text);
            }
          });
      server.start();
    }
  }
}

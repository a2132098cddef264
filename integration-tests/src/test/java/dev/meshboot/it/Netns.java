package dev.meshboot.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace the test creates ({@code ip netns}), as a pod or task of its own: its own
 * loopback, ports 15000 and 15001 free whatever else runs on the machine, iptables rules like App
 * Mesh's interception, and a thread of the test inside it ({@link #inside}) whose sockets live
 * there. Needs root and iproute2 (and iptables for interception); without them the test fails
 * saying so, it does not skip.
 */
final class Netns implements AutoCloseable {

  private static final int CLONE_NEWNET = 0x40000000;
  private static final AtomicInteger COUNT = new AtomicInteger();

  private final String name;
  private final ExecutorService thread;
  private final List<Process> processes = new ArrayList<>();

  private Netns(String name) {
    this.name = name;
    this.thread =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread t = new Thread(() -> enter(task), "netns-" + name);
              t.setDaemon(true);
              return t;
            });
  }

  /** A new namespace with loopback up. */
  static Netns create() {
    String name = "mb" + ProcessHandle.current().pid() + "x" + COUNT.incrementAndGet();
    run("ip", "netns", "add", name);
    Netns netns = new Netns(name);
    netns.exec("ip", "link", "set", "lo", "up");
    return netns;
  }

  String name() {
    return name;
  }

  /**
   * Connects two namespaces with a veth pair, {@code a} at {@code ipA}/24, {@code b} at {@code
   * ipB}/24.
   */
  static void link(Netns a, String ipA, Netns b, String ipB) {
    String left = "v" + a.name;
    String right = "v" + b.name;
    run(
        "ip", "link", "add", left, "netns", a.name, "type", "veth", "peer", "name", right, "netns",
        b.name);
    a.exec("ip", "addr", "add", ipA + "/24", "dev", left);
    b.exec("ip", "addr", "add", ipB + "/24", "dev", right);
    a.exec("ip", "link", "set", left, "up");
    b.exec("ip", "link", "set", right, "up");
  }

  /**
   * Names resolved inside the namespace ({@code /etc/netns/<name>/hosts}, which {@code ip netns
   * exec} puts in place of {@code /etc/hosts} for the processes it runs): each name's addresses.
   */
  void hosts(Map<String, List<String>> names) throws IOException {
    Path dir = Path.of("/etc/netns", name);
    Files.createDirectories(dir);
    StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
    names.forEach(
        (host, ips) -> ips.forEach(ip -> hosts.append(ip).append(' ').append(host).append('\n')));
    Files.writeString(dir.resolve("hosts"), hosts.toString());
  }

  /** Runs {@code command} in the namespace; fails with its output unless it exits 0. */
  void exec(String... command) {
    run(inside(List.of(command)).toArray(String[]::new));
  }

  /**
   * Starts {@code builder}'s command in the namespace (with the builder's environment and
   * redirections); {@link #close} kills it and its descendants.
   */
  Process start(ProcessBuilder builder) throws IOException {
    Process process = builder.command(inside(builder.command())).start();
    processes.add(process);
    return process;
  }

  /** {@code command} as run in the namespace. */
  private List<String> inside(List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(command);
    return full;
  }

  /**
   * {@code "<status> <body>"} of {@code curl options url} run in the namespace with at most {@code
   * seconds} for the answer (status 000: no answer).
   */
  String curl(int seconds, String url, String... options) {
    List<String> answers = curl(seconds, 1, url, options);
    return answers.isEmpty() ? "000 (curl did not end)" : answers.getFirst();
  }

  /**
   * {@code "<status> <body>"} of each of {@code count} requests to {@code url} made by one curl run
   * in the namespace (connections reused), within {@code seconds}; fewer if curl did not end.
   */
  List<String> curl(int seconds, int count, String url, String... options) {
    String mark = "\n@@curl ";
    List<String> command =
        new ArrayList<>(
            List.of("curl", "-s", "-m", Integer.toString(seconds), "-w", mark + "%{http_code}\n"));
    command.addAll(List.of(options));
    for (int i = 0; i < count; i++) {
      command.add(url);
    }
    try {
      Process process =
          new ProcessBuilder(inside(command))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(seconds + 5L, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return List.of();
      }
      // body, then "\n@@curl <status>\n" per request
      String[] parts = out.split("\n@@curl ", -1);
      List<String> answers = new ArrayList<>();
      String body = parts[0];
      for (int i = 1; i < parts.length; i++) {
        int end = parts[i].indexOf('\n');
        answers.add(parts[i].substring(0, end) + " " + body);
        body = parts[i].substring(end + 1);
      }
      return answers;
    } catch (IOException e) {
      return List.of("000 (cannot run curl: " + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of("000 (interrupted)");
    }
  }

  /** Runs {@code task} on the test's thread inside the namespace (sockets it opens live there). */
  <T> T inside(Callable<T> task) throws Exception {
    try {
      return thread.submit(task).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      for (Process process : processes.reversed()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      thread.shutdownNow();
      thread.awaitTermination(5, TimeUnit.SECONDS);
      new ProcessBuilder("ip", "netns", "del", name).start().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Path dir = Path.of("/etc/netns", name);
    Files.deleteIfExists(dir.resolve("hosts"));
    Files.deleteIfExists(dir);
  }

  /** The namespace's thread: enters it first (setns(2) changes the calling thread only). */
  @SuppressWarnings("restricted") // the failsafe JVM runs with --enable-native-access
  private void enter(Runnable task) {
    try (Arena arena = Arena.ofConfined()) {
      Linker linker = Linker.nativeLinker();
      SymbolLookup libc = linker.defaultLookup();
      MethodHandle open =
          linker.downcallHandle(
              libc.find("open").orElseThrow(),
              FunctionDescriptor.of(
                  ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
      MethodHandle setns =
          linker.downcallHandle(
              libc.find("setns").orElseThrow(),
              FunctionDescriptor.of(
                  ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
      MethodHandle close =
          linker.downcallHandle(
              libc.find("close").orElseThrow(),
              FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
      int fd = (int) open.invokeExact(arena.allocateFrom("/var/run/netns/" + name), 0);
      if (fd < 0) {
        throw new IllegalStateException("cannot open /var/run/netns/" + name);
      }
      int entered = (int) setns.invokeExact(fd, CLONE_NEWNET);
      int unused = (int) close.invokeExact(fd);
      if (entered != 0) {
        throw new IllegalStateException("setns into " + name + " failed (needs root)");
      }
    } catch (Throwable e) {
      throw new IllegalStateException("cannot enter network namespace " + name, e);
    }
    task.run();
  }

  /** Runs a command; fails naming it and its output unless it exits 0. */
  static void run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        fail(
            String.join(" ", command)
                + " failed: "
                + output
                + "\nThe mesh integration tests need root, iproute2 (ip netns) and iptables"
                + " (apt-get install iproute2 iptables).");
      }
    } catch (IOException e) {
      fail(
          "cannot run "
              + String.join(" ", command)
              + " ("
              + e.getMessage()
              + "); the mesh integration tests need iproute2 and iptables"
              + " (apt-get install iproute2 iptables)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted");
    }
  }
}

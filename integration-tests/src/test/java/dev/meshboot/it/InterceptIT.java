package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code meshboot intercept}, the jar run as an init container would run it, inside a network
 * namespace the test creates (the pod), linked to a second one (the rest of the network). Every
 * listener answers one line naming itself, so each connection shows where it really landed: the
 * stand-ins for Envoy's egress (15001) and ingress (15000) listeners in the pod, the application on
 * 8080, servers on the peer. Proves, with real connections, IPv4 and IPv6, what App Mesh's proxy
 * init did: the application's outbound TCP goes to 15001, UID 1337's does not (Envoy's own traffic
 * is not looped back), ignored addresses and ports go straight out, inbound to the application's
 * port arrives at 15000 while local traffic to it does not; and that enable twice leaves the same
 * {@code iptables-save}, disable restores the original one exactly (with another rule of the
 * table's kept), and without NET_ADMIN it exits 10 saying so.
 */
class InterceptIT {

  private static final String POD = "10.77.0.1";
  private static final String PEER = "10.77.0.2";
  private static final String PEER_IGNORED = "10.77.0.3";
  private static final String POD6 = "fd77::1";
  private static final String PEER6 = "fd77::2";

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : closing.reversed()) {
      closeable.close();
    }
  }

  @Test
  void interceptsAsAppMeshsProxyInitDid() throws Exception {
    Netns pod = Netns.create();
    closing.add(pod);
    Netns peer = Netns.create();
    closing.add(peer);
    Netns.link(pod, POD, peer, PEER);
    peer.exec("ip", "addr", "add", PEER_IGNORED + "/24", "dev", "v" + peer.name());
    pod.exec("ip", "-6", "addr", "add", POD6 + "/64", "dev", "v" + pod.name(), "nodad");
    peer.exec("ip", "-6", "addr", "add", PEER6 + "/64", "dev", "v" + peer.name(), "nodad");

    listen(pod, 15001, "envoy-egress");
    listen(pod, 15000, "envoy-ingress");
    listen(pod, 8080, "app");
    listen(peer, 7000, "peer");
    listen(peer, 9090, "peer-9090");
    // Someone else's rule in the same table: meshboot must leave it alone.
    pod.exec(
        "iptables", "-t", "nat", "-A", "OUTPUT", "-d", "10.99.0.1/32", "-p", "tcp", "-j", "ACCEPT");
    String original4 = save(pod, "iptables-save");
    String original6 = save(pod, "ip6tables-save");
    assertThat(dial(pod, PEER, 7000)).as("before enable").isEqualTo("peer");

    Map<String, String> env = new HashMap<>();
    env.put("APPMESH_APP_PORTS", "8080");
    env.put("APPMESH_EGRESS_IGNORED_IP", "169.254.169.254," + PEER_IGNORED);
    env.put("APPMESH_EGRESS_IGNORED_PORTS", "9090");
    env.put("APPMESH_ENABLE_IPV6", "1");
    Run enabled = meshboot(pod, env, List.of(), "enable");
    assertThat(enabled.code()).as(enabled.output()).isZero();
    String enabled4 = save(pod, "iptables-save");
    String enabled6 = save(pod, "ip6tables-save");

    assertThat(dial(pod, PEER, 7000)).as("the app's outbound TCP").isEqualTo("envoy-egress");
    assertThat(dial(pod, "[" + PEER6 + "]", 7000)).as("over IPv6").isEqualTo("envoy-egress");
    assertThat(dialAs(pod, 1337, PEER, 7000)).as("Envoy's own (UID 1337)").isEqualTo("peer");
    assertThat(dial(pod, PEER_IGNORED, 7000)).as("an ignored address").isEqualTo("peer");
    assertThat(dial(pod, PEER, 9090)).as("an ignored port").isEqualTo("peer-9090");
    assertThat(dial(peer, POD, 8080)).as("inbound to the app port").isEqualTo("envoy-ingress");
    assertThat(dial(peer, "[" + POD6 + "]", 8080)).as("inbound, IPv6").isEqualTo("envoy-ingress");
    assertThat(dial(pod, "127.0.0.1", 8080)).as("local traffic to the app").isEqualTo("app");

    Run again = meshboot(pod, env, List.of(), "enable");
    assertThat(again.code()).as(again.output()).isZero();
    assertThat(again.output()).contains("iptables-save: interception enabled (it was already)");
    assertThat(save(pod, "iptables-save")).isEqualTo(enabled4);
    assertThat(save(pod, "ip6tables-save")).isEqualTo(enabled6);

    Run status = meshboot(pod, env, List.of(), "status");
    assertThat(status.code()).as(status.output()).isZero();
    assertThat(status.output())
        .contains("iptables-save: interception enabled")
        .contains("ip6tables-save: interception enabled")
        .contains("  -A APPMESH_EGRESS -d " + PEER_IGNORED + "/32 -p tcp -j RETURN")
        .contains(
            "  -A APPMESH_INGRESS -p tcp -m multiport --dports 8080 -j REDIRECT --to-ports 15000")
        .doesNotContain("10.99.0.1");

    Run denied = meshboot(pod, env, List.of("capsh", "--drop=cap_net_admin", "--"), "disable");
    assertThat(denied.code()).as(denied.output()).isEqualTo(10);
    assertThat(denied.output()).contains("NET_ADMIN");
    assertThat(save(pod, "iptables-save")).isEqualTo(enabled4);

    Run disabled = meshboot(pod, env, List.of(), "disable");
    assertThat(disabled.code()).as(disabled.output()).isZero();
    assertThat(save(pod, "iptables-save")).isEqualTo(original4);
    assertThat(save(pod, "ip6tables-save")).isEqualTo(original6);
    assertThat(dial(pod, PEER, 7000)).as("after disable").isEqualTo("peer");
    assertThat(dial(peer, POD, 8080)).as("inbound after disable").isEqualTo("app");
  }

  /**
   * A listener in {@code netns} on every address that answers each connection with {@code name}.
   */
  private void listen(Netns netns, int port, String name) throws Exception {
    ServerSocket server =
        netns.inside(
            () -> {
              ServerSocket socket = new ServerSocket();
              socket.setReuseAddress(true);
              socket.bind(new InetSocketAddress(InetAddress.ofLiteral("::"), port));
              return socket;
            });
    closing.add(server);
    Thread.ofVirtual()
        .name("listener-" + name)
        .start(
            () -> {
              while (!server.isClosed()) {
                try (Socket connection = server.accept();
                    OutputStream out = connection.getOutputStream()) {
                  out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                  // closed at the end of the test
                }
              }
            });
  }

  /** Connects from a thread inside {@code netns} (the test runs as root) and reads the answer. */
  private static String dial(Netns netns, String host, int port) throws Exception {
    return netns.inside(
        () -> {
          String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
          try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.ofLiteral(literal), port), 3000);
            socket.setSoTimeout(3000);
            return new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
          }
        });
  }

  /** Connects from a process of user {@code uid} in {@code netns} and reads the answer. */
  private static String dialAs(Netns netns, int uid, String host, int port) throws Exception {
    Process process =
        netns.start(
            new ProcessBuilder(
                    "setpriv",
                    "--reuid=" + uid,
                    "--regid=" + uid,
                    "--clear-groups",
                    "--",
                    "bash",
                    "-c",
                    "exec 3<>/dev/tcp/" + host + "/" + port + " && head -n 1 <&3")
                .redirectErrorStream(true));
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return output.strip();
  }

  /** The table as {@code tool -t nat} prints it, without its timestamped comments and counters. */
  private static String save(Netns netns, String tool) throws Exception {
    Process process = netns.start(new ProcessBuilder(tool, "-t", "nat"));
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(tool).isZero();
    return output
        .lines()
        .filter(line -> !line.startsWith("#"))
        .map(line -> line.replaceAll("\\[\\d+:\\d+\\]", "[0:0]"))
        .reduce("", (a, b) -> a + b + "\n");
  }

  record Run(int code, String output) {}

  /** {@code java -jar meshboot.jar intercept <command>} in {@code netns}, after {@code prefix}. */
  private static Run meshboot(
      Netns netns, Map<String, String> env, List<String> prefix, String command) throws Exception {
    List<String> java =
        List.of(
            ReleaseJava.java(), "-jar", System.getProperty("meshboot.jar"), "intercept", command);
    List<String> words = new ArrayList<>(prefix);
    if (prefix.isEmpty()) {
      words.addAll(java);
    } else {
      // capsh runs the rest with bash -c
      words.addAll(List.of("-c", String.join(" ", java)));
    }
    ProcessBuilder builder = new ProcessBuilder(words).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin"));
    builder.environment().putAll(env);
    Process process = netns.start(builder);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), output);
  }
}

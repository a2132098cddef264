package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The EKS pod's init container ({@code proxyinit} of {@code platforms/eks/appmesh-pod.yaml}) run
 * from the image with podman as the kubelet would run it, everything taken from the manifest: its
 * command in place of the entrypoint, its literal variables, {@code runAsUser}, the capabilities it
 * drops and adds, {@code allowPrivilegeEscalation: false}, the read-only root with a tmpfs for each
 * emptyDir it mounts, its memory limit; in a network namespace the test creates (the pod's, fresh).
 * The image's own iptables (nf_tables) writes App Mesh's chains, which the host's {@code
 * iptables-nft-save} then reads in that namespace; without NET_ADMIN the container exits 10 naming
 * the capability and the table stays as it was.
 */
class ImageInterceptIT {

  private static final Path MANIFEST =
      Path.of(System.getProperty("meshboot.examples"))
          .resolveSibling("platforms")
          .resolve("eks")
          .resolve("appmesh-pod.yaml");

  private static String image = "";

  private @Nullable Netns pod;

  @BeforeAll
  static void load() {
    image = Podman.load();
  }

  @BeforeEach
  void pod() {
    pod = Netns.create();
  }

  @AfterEach
  void close() throws IOException {
    if (pod != null) {
      pod.close();
    }
  }

  @Test
  void theInitContainerWritesAppMeshsRulesWithTheImagesIptables() throws Exception {
    Map<String, Object> proxyinit = proxyinit();
    Map<String, String> env = env(proxyinit);
    Netns netns = Objects.requireNonNull(pod);
    assertThat(natTable(netns)).doesNotContain("APPMESH");

    Podman.Result first = run(netns, proxyinit, List.of());
    assertThat(first.exitCode()).as(first.output()).isZero();
    assertThat(first.output()).contains("iptables-save: interception enabled");
    String nat = natTable(netns);

    String egress = "-A APPMESH_EGRESS ";
    List<String> expected =
        new ArrayList<>(
            List.of(
                ":APPMESH_EGRESS - [0:0]",
                ":APPMESH_INGRESS - [0:0]",
                "-A PREROUTING -p tcp -m addrtype ! --src-type LOCAL -j APPMESH_INGRESS",
                "-A OUTPUT -p tcp -m addrtype ! --dst-type LOCAL -j APPMESH_EGRESS",
                egress + "-m owner --uid-owner " + env.get("APPMESH_IGNORE_UID") + " -j RETURN",
                egress + "-p tcp -j REDIRECT --to-ports " + env.get("APPMESH_ENVOY_EGRESS_PORT"),
                "-A APPMESH_INGRESS -p tcp -m multiport --dports "
                    + env.get("APPMESH_APP_PORTS")
                    + " -j REDIRECT --to-ports "
                    + env.get("APPMESH_ENVOY_INGRESS_PORT")));
    for (String port : list(env.get("APPMESH_EGRESS_IGNORED_PORTS"))) {
      expected.add(egress + "-p tcp -m multiport --dports " + port + " -j RETURN");
    }
    for (String ip : list(env.get("APPMESH_EGRESS_IGNORED_IP"))) {
      expected.add(egress + "-d " + ip + "/32 -p tcp -j RETURN");
    }
    assertThat(nat.lines().filter(line -> line.contains("APPMESH")).toList())
        .as(nat)
        .containsExactlyInAnyOrderElementsOf(expected);
    // the exceptions first, then the redirect of the rest
    assertThat(nat.lines().filter(line -> line.startsWith(egress)).toList().getLast())
        .startsWith(egress + "-p tcp -j REDIRECT");

    // a restarted init container (the kubelet reruns it): nothing changes
    Podman.Result again = run(netns, proxyinit, List.of());
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.output()).contains("interception enabled (it was already)");
    assertThat(natTable(netns)).isEqualTo(nat);
  }

  @Test
  void withoutNetAdminTheInitContainerExits10NamingTheCapability() throws Exception {
    Map<String, Object> proxyinit = proxyinit();
    Netns netns = Objects.requireNonNull(pod);
    String before = natTable(netns);

    Podman.Result denied = run(netns, proxyinit, List.of("NET_ADMIN"));
    assertThat(denied.exitCode()).as(denied.output()).isEqualTo(10);
    assertThat(denied.output()).contains("needs the NET_ADMIN capability");
    assertThat(natTable(netns)).isEqualTo(before).doesNotContain("APPMESH");
  }

  /**
   * {@code podman run} of the image as the kubelet runs {@code container} in {@code netns}, less
   * the capabilities in {@code withheld}; its exit code and output.
   */
  private static Podman.Result run(
      Netns netns, Map<String, Object> container, List<String> withheld) throws IOException {
    Map<String, Object> security = map(container, "securityContext");
    Map<String, Object> capabilities = map(security, "capabilities");
    List<String> command = strings(container.get("command"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--rm",
                "--network",
                "ns:/var/run/netns/" + netns.name(),
                "--user",
                String.valueOf(security.get("runAsUser")),
                // Kubernetes' command replaces the image's entrypoint (and there are no args)
                "--entrypoint",
                new Gson().toJson(command),
                "--memory",
                String.valueOf(map(map(container, "resources"), "limits").get("memory"))
                    .replace("Mi", "m")));
    args.addAll(Podman.LIMITS);
    for (String capability : strings(capabilities.get("drop"))) {
      args.addAll(List.of("--cap-drop", capability));
    }
    for (String capability : strings(capabilities.get("add"))) {
      if (!withheld.contains(capability)) {
        args.addAll(List.of("--cap-add", capability));
      }
    }
    if (Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))) {
      args.addAll(List.of("--security-opt", "no-new-privileges"));
    }
    if (Boolean.TRUE.equals(security.get("readOnlyRootFilesystem"))) {
      args.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
    }
    for (Map<String, Object> mount : items(container, "volumeMounts")) {
      Map<String, Object> emptyDir = map(volume((String) mount.get("name")), "emptyDir");
      String size = String.valueOf(emptyDir.get("sizeLimit")).replace("Mi", "m");
      args.addAll(List.of("--tmpfs", mount.get("mountPath") + ":rw,size=" + size));
    }
    env(container).forEach((name, value) -> args.addAll(List.of("--env", name + "=" + value)));
    args.add(image);
    return Podman.run(Duration.ofMinutes(1), args.toArray(String[]::new));
  }

  /** The host's {@code iptables-nft-save -t nat} in {@code netns}: the image's backend. */
  private static String natTable(Netns netns) throws Exception {
    Process process =
        new ProcessBuilder("ip", "netns", "exec", netns.name(), "iptables-nft-save", "-t", "nat")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue())
        .as("iptables-nft-save (apt-get install iptables): %s", output)
        .isZero();
    // the comment lines carry the time of the save
    return output.lines().filter(line -> !line.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
  }

  private static Map<String, Object> proxyinit() throws IOException {
    return named(items(podSpec(), "initContainers"), "proxyinit");
  }

  private static Map<String, Object> volume(String name) throws IOException {
    return named(items(podSpec(), "volumes"), name);
  }

  private static Map<String, Object> podSpec() throws IOException {
    Map<String, Object> deployment =
        asMap(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(MANIFEST)));
    return map(map(map(deployment, "spec"), "template"), "spec");
  }

  private static List<Map<String, Object>> items(Map<String, Object> map, String key) {
    return ((List<?>) Objects.requireNonNull(map.get(key), () -> key + " in " + MANIFEST))
        .stream().map(ImageInterceptIT::asMap).toList();
  }

  private static Map<String, Object> named(List<Map<String, Object>> items, String name) {
    return items.stream()
        .filter(item -> name.equals(item.get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + MANIFEST));
  }

  /** The container's literal variables, in the manifest's order. */
  private static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<String, Object> variable : items(container, "env")) {
      env.put((String) variable.get("name"), String.valueOf(variable.get("value")));
    }
    return env;
  }

  private static List<String> list(@Nullable String commaSeparated) {
    return commaSeparated == null ? List.of() : List.of(commaSeparated.split(","));
  }

  private static Map<String, Object> map(Map<String, Object> map, String key) {
    return asMap(Objects.requireNonNull(map.get(key), () -> key + " in " + MANIFEST));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value) {
    return (Map<String, Object>) value;
  }

  private static List<String> strings(Object list) {
    return ((List<?>) list).stream().map(String::valueOf).toList();
  }
}

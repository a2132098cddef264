package dev.meshboot.it;

import static dev.meshboot.it.EksManifest.env;
import static dev.meshboot.it.EksManifest.items;
import static dev.meshboot.it.EksManifest.map;
import static dev.meshboot.it.EksManifest.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The EKS pod's init container ({@code proxyinit} of {@code platforms/eks/appmesh-pod.yaml}) run
 * from the image with podman as the kubelet would run it, everything taken from the manifest: its
 * command in place of the entrypoint, its literal variables, {@code runAsUser}, the capabilities it
 * drops and adds, {@code allowPrivilegeEscalation: false}, the read-only root with a tmpfs for each
 * emptyDir it mounts, its memory limit; in a network namespace the test creates (the pod's, fresh).
 * The image's own iptables (nf_tables) writes App Mesh's chains, which the host's {@code
 * iptables-nft-save} then reads in that namespace (and with {@code APPMESH_ENABLE_IPV6} its
 * ip6tables, read by {@code ip6tables-nft-save}); without NET_ADMIN the container exits 10 naming
 * the capability and the table stays as it was.
 */
class ImageInterceptIT {

  @RegisterExtension static final ImagePod POD = new ImagePod();

  private static final String MANIFEST = "appmesh-pod.yaml";

  @Test
  void theInitContainerWritesAppMeshsRulesWithTheImagesIptables() throws Exception {
    Map<String, Object> proxyinit = proxyinit();
    Netns netns = POD.netns();
    assertThat(natTable(netns, "iptables-nft-save")).doesNotContain("APPMESH");

    Podman.Result first = run(netns, proxyinit, List.of(), Map.of());
    assertThat(first.exitCode()).as(first.output()).isZero();
    assertThat(first.output()).contains("iptables-save: interception enabled");
    String nat = natTable(netns, "iptables-nft-save");
    assertAppMeshsRules(nat, env(proxyinit), "/32");

    // a restarted init container (the kubelet reruns it): nothing changes
    Podman.Result again = run(netns, proxyinit, List.of(), Map.of());
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.output()).contains("interception enabled (it was already)");
    assertThat(natTable(netns, "iptables-nft-save")).isEqualTo(nat);
  }

  @Test
  void inAnIpv6ClusterTheImagesIp6tablesWritesTheSameChains() throws Exception {
    Map<String, Object> proxyinit = proxyinit();
    Netns netns = POD.netns();

    // what the manifest leaves to clusters that use IPv6
    Map<String, String> ipv6 = Map.of("APPMESH_ENABLE_IPV6", "1");
    Podman.Result enabled = run(netns, proxyinit, List.of(), ipv6);
    assertThat(enabled.exitCode()).as(enabled.output()).isZero();
    assertThat(enabled.output())
        .contains("iptables-save: interception enabled")
        .contains("ip6tables-save: interception enabled");
    assertAppMeshsRules(natTable(netns, "ip6tables-nft-save"), env(proxyinit), "/128");
    assertAppMeshsRules(natTable(netns, "iptables-nft-save"), env(proxyinit), "/32");
  }

  @Test
  void withoutNetAdminTheInitContainerExits10NamingTheCapability() throws Exception {
    Map<String, Object> proxyinit = proxyinit();
    Netns netns = POD.netns();
    String before = natTable(netns, "iptables-nft-save");

    Podman.Result denied = run(netns, proxyinit, List.of("NET_ADMIN"), Map.of());
    assertThat(denied.exitCode()).as(denied.output()).isEqualTo(10);
    assertThat(denied.output()).contains("needs the NET_ADMIN capability");
    assertThat(natTable(netns, "iptables-nft-save")).isEqualTo(before).doesNotContain("APPMESH");
  }

  /**
   * {@code nat} (one family's table) has exactly App Mesh's chains and jumps, with {@code env}'s
   * ports, UID and those ignored addresses of the family ({@code prefix}: its host prefix length),
   * the exceptions before the redirect.
   */
  private static void assertAppMeshsRules(String nat, Map<String, String> env, String prefix) {
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
      if (ip.contains(":") == prefix.equals("/128")) {
        expected.add(egress + "-d " + ip + prefix + " -p tcp -j RETURN");
      }
    }
    assertThat(nat.lines().filter(line -> line.contains("APPMESH")).toList())
        .as(nat)
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(nat.lines().filter(line -> line.startsWith(egress)).toList().getLast())
        .startsWith(egress + "-p tcp -j REDIRECT");
  }

  /**
   * {@code podman run} of the image as the kubelet runs {@code container} in {@code netns}, less
   * the capabilities in {@code withheld} and with the variables in {@code extraEnv}; its exit code
   * and output.
   */
  private static Podman.Result run(
      Netns netns,
      Map<String, Object> container,
      List<String> withheld,
      Map<String, String> extraEnv)
      throws IOException {
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
    Map<String, String> env = env(container);
    env.putAll(extraEnv);
    env.forEach((name, value) -> args.addAll(List.of("--env", name + "=" + value)));
    args.add(POD.image());
    return Podman.run(Duration.ofMinutes(1), args.toArray(String[]::new));
  }

  /**
   * The host's {@code save -t nat} in {@code netns}: {@code iptables-nft-save} or {@code
   * ip6tables-nft-save}, the image's backend.
   */
  private static String natTable(Netns netns, String save) throws Exception {
    Process process =
        new ProcessBuilder("ip", "netns", "exec", netns.name(), save, "-t", "nat")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("%s (apt-get install iptables): %s", save, output).isZero();
    // the comment lines carry the time of the save
    return output.lines().filter(line -> !line.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
  }

  private static Map<String, Object> proxyinit() throws IOException {
    return EksManifest.read(MANIFEST).container("initContainers", "proxyinit");
  }

  private static Map<String, Object> volume(String name) throws IOException {
    return EksManifest.read(MANIFEST).volume(name);
  }

  private static List<String> list(@Nullable String commaSeparated) {
    return commaSeparated == null ? List.of() : List.of(commaSeparated.split(","));
  }
}

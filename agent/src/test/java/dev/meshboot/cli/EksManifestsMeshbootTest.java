package dev.meshboot.cli;

import static dev.meshboot.cli.EksKit.CLASSIC;
import static dev.meshboot.cli.EksKit.IMAGE;
import static dev.meshboot.cli.EksKit.MESH;
import static dev.meshboot.cli.EksKit.NATIVE;
import static dev.meshboot.cli.EksKit.env;
import static dev.meshboot.cli.EksKit.init;
import static dev.meshboot.cli.EksKit.pod;
import static dev.meshboot.cli.EksKit.sidecar;
import static dev.meshboot.cli.EksKit.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests in {@code platforms/eks/} as meshboot reads them: the sidecar's probes are meshboot
 * commands with options meshboot accepts, its UID is the one the init container's interception
 * ignores, every variable either container sets is one meshboot reads (and the init container's
 * give the rules App Mesh's did), the grace period covers the drain, and the mesh it serves defines
 * its node.
 */
class EksManifestsMeshbootTest {

  /**
   * Variables a container of the kit may set that meshboot does not read: none today. A name added
   * here must be one Kubernetes or AWS gives a meaning of its own.
   */
  private static final Set<String> OTHER_VARIABLES = Set.of();

  @Test
  void theSidecarsAreMeshbootRunAsAppMeshRanEnvoy(@TempDir Path tmp) throws IOException {
    Set<String> known =
        Variables.ALL.stream().map(Variable::name).collect(Collectors.toUnmodifiableSet());
    for (String name : List.of(NATIVE, CLASSIC)) {
      PodSpec pod = pod(name);
      Container sidecar = sidecar(pod);
      Container init = init(pod);
      assertThat(sidecar.getName()).as(name).isEqualTo("envoy");
      assertThat(sidecar.getCommand()).as(name).containsExactly("meshboot", "run");
      Map<String, String> env = env(sidecar);
      assertThat(known).as(name + ": variables meshboot reads").containsAll(without(env.keySet()));
      assertThat(env).as(name).containsKey("APPMESH_RESOURCE_ARN");
      // the probes reach the management API, which runs only when a mode is set
      assertThat(env).as(name).containsKey("APPNET_AGENT_ADMIN_MODE");
      assertThat(env.get("APPMESH_PLATFORM_K8S_POD_UID")).isNull(); // from the downward API:
      assertThat(
              sidecar.getEnv().stream()
                  .filter(v -> v.getName().equals("APPMESH_PLATFORM_K8S_POD_UID"))
                  .map(v -> v.getValueFrom().getFieldRef().getFieldPath()))
          .as(name)
          .containsExactly("metadata.uid");

      // Envoy's own traffic is what the interception leaves alone
      Long uid = sidecar.getSecurityContext().getRunAsUser();
      assertThat(uid).as(name).isEqualTo(1337L);
      assertThat(env(init).get("APPMESH_IGNORE_UID")).as(name).isEqualTo(Long.toString(uid));
      assertThat(sidecar.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
      assertThat(sidecar.getSecurityContext().getAllowPrivilegeEscalation()).as(name).isFalse();
      assertThat(sidecar.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(sidecar.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();

      assertThat(sidecar.getLivenessProbe().getExec().getCommand())
          .as(name)
          .containsExactly("meshboot", "healthcheck");
      assertThat(sidecar.getResources().getLimits()).as(name).containsKeys("cpu", "memory");
      assertThat(sidecar.getResources().getRequests()).as(name).containsKeys("cpu", "memory");

      String drain =
          env.getOrDefault(
              "LISTENER_DRAIN_WAIT_TIME_S",
              Objects.requireNonNull(Variables.LISTENER_DRAIN_WAIT_TIME_S.defaultValue()));
      // the application's shutdown (which the native sidecar outlives) and the sidecar's drain,
      // each up to the drain time, then the stop steps
      assertThat(pod.getTerminationGracePeriodSeconds())
          .as(name)
          .isGreaterThanOrEqualTo(2 * Long.parseLong(drain) + 10);

      for (List<String> command : probeCommands(sidecar)) {
        assertThat(meshboot(env, help(command)).code()).as(name + ": " + command).isZero();
      }
      assertMeshDefinesTheNode(env, tmp.resolve(name));
    }
  }

  @Test
  void theInitContainerInterceptsAroundTheSidecarWithNetAdminOnly() throws IOException {
    for (String name : List.of(NATIVE, CLASSIC)) {
      PodSpec pod = pod(name);
      Container init = init(pod);
      assertThat(init.getImage()).as(name).isEqualTo(IMAGE);
      assertThat(init.getCommand()).as(name).containsExactly("meshboot", "intercept", "enable");
      assertThat(init.getSecurityContext().getRunAsUser()).as(name).isZero();
      assertThat(init.getSecurityContext().getCapabilities().getAdd()).containsExactly("NET_ADMIN");
      assertThat(init.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      Map<String, String> env = env(init);
      assertThat(Variables.ALL.stream().map(Variable::name).toList())
          .as(name)
          .containsAll(env.keySet());
      assertThat(env.get("APPMESH_ENVOY_INGRESS_PORT"))
          .isEqualTo(Variables.APPMESH_ENVOY_INGRESS_PORT.defaultValue());
      assertThat(env.get("APPMESH_ENVOY_EGRESS_PORT"))
          .isEqualTo(Variables.APPMESH_ENVOY_EGRESS_PORT.defaultValue());
      assertThat(env.get("APPMESH_EGRESS_IGNORED_IP").split(","))
          .as(name + ": instance metadata and EKS Pod Identity reached directly")
          .containsExactlyInAnyOrder("169.254.169.254", "169.254.170.23");
      Container app = pod.getContainers().getLast();
      assertThat(env.get("APPMESH_APP_PORTS"))
          .as(name + ": the application's ports")
          .isEqualTo(
              app.getPorts().stream()
                  .map(p -> p.getContainerPort().toString())
                  .collect(Collectors.joining(",")));
      // the values are ones meshboot accepts: `rules` prints what `enable` applies
      Run rules = meshboot(env, List.of("intercept", "rules"));
      assertThat(rules.code()).as(rules.err()).isZero();
      assertThat(rules.out())
          .contains("-A APPMESH_EGRESS -m owner --uid-owner 1337 -j RETURN")
          .contains("-A APPMESH_EGRESS -d 169.254.170.23/32 -p tcp -j RETURN")
          .contains("--dports 8080 -j REDIRECT --to-ports 15000");
    }
  }

  private void assertMeshDefinesTheNode(Map<String, String> env, Path dir) throws IOException {
    ConfigMap mesh = (ConfigMap) KubernetesModel.parse(text(MESH));
    Files.createDirectories(dir);
    for (Map.Entry<String, String> file : mesh.getData().entrySet()) {
      Files.writeString(dir.resolve(file.getKey()), file.getValue());
    }
    Run render =
        meshboot(
            Map.of(),
            List.of("mesh", "render", dir.toString(), "--node", env.get("APPMESH_RESOURCE_ARN")));
    assertThat(render.code()).as(render.err()).isZero();
    assertThat(render.out()).contains("lds_ingress_0.0.0.0_15000", "lds_egress_0.0.0.0_15001");
  }

  private static Set<String> without(Set<String> names) {
    return names.stream()
        .filter(n -> !OTHER_VARIABLES.contains(n))
        .collect(Collectors.toUnmodifiableSet());
  }

  private static List<List<String>> probeCommands(Container sidecar) {
    List<List<String>> commands = new ArrayList<>();
    if (sidecar.getStartupProbe() != null) {
      commands.add(sidecar.getStartupProbe().getExec().getCommand());
    }
    commands.add(sidecar.getLivenessProbe().getExec().getCommand());
    if (sidecar.getLifecycle() != null && sidecar.getLifecycle().getPostStart() != null) {
      commands.add(sidecar.getLifecycle().getPostStart().getExec().getCommand());
    }
    return commands;
  }

  /**
   * {@code meshboot <command> <options> --help}: meshboot parses the options (an unknown one is
   * exit 2) and prints the help instead of probing.
   */
  private static List<String> help(List<String> command) {
    assertThat(command.getFirst()).isEqualTo("meshboot");
    List<String> argv = new ArrayList<>(command.subList(1, command.size()));
    argv.add("--help");
    return argv;
  }

  record Run(int code, String out, String err) {}

  private static Run meshboot(Map<String, String> env, List<String> argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> environment = new HashMap<>(env);
    int code =
        Main.run(
            argv,
            Main.Context.system(
                environment,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Optional.empty()));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}

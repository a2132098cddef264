package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes manifests in {@code platforms/eks/} are what the Kubernetes API accepts: each is
 * read with fabric8's model ({@link KubernetesModel}), and a field the model does not know fails
 * the build. And what a model cannot judge: the sidecar is meshboot as a native sidecar (or, in the
 * classic variant, the first container with a postStart gate), its probes are meshboot commands
 * with options meshboot accepts, its UID is the one the init container's interception ignores,
 * every variable either container sets is one meshboot reads, every path it is given lies on a
 * volume (the root file system is read-only), the grace period covers the drain, and the mesh it
 * serves defines its node.
 */
class EksManifestsTest {

  private static final Path DIR = Path.of("..", "platforms", "eks");
  private static final String NATIVE = "appmesh-pod.yaml";
  private static final String CLASSIC = "appmesh-pod-classic.yaml";
  private static final String MESH = "mesh.yaml";
  private static final String IMAGE = "meshboot:latest";

  /**
   * Variables a container of the kit may set that meshboot does not read: none today. A name added
   * here must be one Kubernetes or AWS gives a meaning of its own.
   */
  private static final Set<String> OTHER_VARIABLES = Set.of();

  private static String text(String name) throws IOException {
    return Files.readString(DIR.resolve(name));
  }

  private static Deployment deployment(String name) throws IOException {
    return (Deployment) KubernetesModel.parse(text(name));
  }

  private static PodSpec pod(String name) throws IOException {
    return deployment(name).getSpec().getTemplate().getSpec();
  }

  @Test
  void theDirectoryHoldsTheKit() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml")))
          .containsExactlyInAnyOrder(NATIVE, CLASSIC, MESH);
    }
  }

  @Test
  void everyManifestIsATypedResourceWithNoFieldTheModelDoesNotKnow() throws IOException {
    for (String name : List.of(NATIVE, CLASSIC, MESH)) {
      HasMetadata resource = KubernetesModel.parse(text(name));
      assertThat(resource)
          .as(name)
          .isInstanceOf(name.equals(MESH) ? ConfigMap.class : Deployment.class);
      assertThat(KubernetesModel.unknownFields(resource, name)).as(name).isEmpty();
    }
  }

  @Test
  void aMisspelledOrMistypedFieldIsFound() throws IOException {
    String misspelled = text(NATIVE).replace("readOnlyRootFilesystem", "readOnlyRootFileSystem");
    assertThat(KubernetesModel.unknownFields(KubernetesModel.parse(misspelled), "$"))
        .containsExactly(
            "$.spec.template.spec.initContainers[0].securityContext.readOnlyRootFileSystem",
            "$.spec.template.spec.initContainers[1].securityContext.readOnlyRootFileSystem");
    // a value of the wrong type is refused while reading
    String mistyped = text(CLASSIC).replace("periodSeconds: 15", "periodSeconds: fifteen");
    assertThatThrownBy(() -> KubernetesModel.parse(mistyped))
        .hasMessageContaining("\"fifteen\": not a valid `java.lang.Integer` value");
    String misplaced = text(NATIVE).replace("restartPolicy: Always", "restartPolcy: Always");
    assertThat(KubernetesModel.unknownFields(KubernetesModel.parse(misplaced), "$"))
        .containsExactly("$.spec.template.spec.initContainers[1].restartPolcy");
    String unknownKind = text(MESH).replace("kind: ConfigMap", "kind: ConfigMapp");
    assertThatThrownBy(() -> KubernetesModel.parse(unknownKind))
        .hasMessageContaining("not a resource of fabric8's Kubernetes model");
  }

  @Test
  void theNativeSidecarIsAnInitContainerThatRestartsAndGatesTheApplication() throws IOException {
    PodSpec pod = pod(NATIVE);
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly("proxyinit", "envoy");
    Container sidecar = sidecar(pod);
    assertThat(sidecar).isSameAs(pod.getInitContainers().get(1));
    assertThat(sidecar.getRestartPolicy()).isEqualTo("Always");
    assertThat(pod.getInitContainers().getFirst().getRestartPolicy()).isNull();
    assertThat(sidecar.getLifecycle()).isNull();
    List<String> startup = sidecar.getStartupProbe().getExec().getCommand();
    assertThat(startup.subList(0, 2)).containsExactly("meshboot", "wait-ready");
    assertThat(sidecar.getStartupProbe().getTimeoutSeconds())
        .as("the probe's timeout is above wait-ready's own")
        .isGreaterThan(Integer.parseInt(option(startup, "--timeout")));
    assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("app");
  }

  @Test
  void theClassicSidecarIsTheFirstContainerAndHoldsTheApplicationInPostStart() throws IOException {
    PodSpec pod = pod(CLASSIC);
    assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("proxyinit");
    Container sidecar = sidecar(pod);
    assertThat(sidecar).isSameAs(pod.getContainers().getFirst());
    assertThat(sidecar.getRestartPolicy()).isNull();
    List<String> gate = sidecar.getLifecycle().getPostStart().getExec().getCommand();
    assertThat(gate.subList(0, 2)).containsExactly("meshboot", "wait-ready");
    assertThat(sidecar.getLifecycle().getPreStop()).isNull();
    assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("envoy", "app");
  }

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

  @Test
  void everyMountIsAVolumeAndEveryPathLiesOnOne() throws IOException {
    for (String name : List.of(NATIVE, CLASSIC)) {
      PodSpec pod = pod(name);
      Map<String, Volume> volumes = new LinkedHashMap<>();
      pod.getVolumes().forEach(v -> volumes.put(v.getName(), v));
      Set<String> mounted = new java.util.HashSet<>();
      for (Container container : containers(pod)) {
        for (VolumeMount mount :
            Optional.ofNullable(container.getVolumeMounts()).orElse(List.of())) {
          assertThat(volumes).as(name + ": " + container.getName()).containsKey(mount.getName());
          mounted.add(mount.getName());
        }
        if (container.getSecurityContext() != null
            && Boolean.TRUE.equals(container.getSecurityContext().getReadOnlyRootFilesystem())) {
          for (Map.Entry<String, String> variable : env(container).entrySet()) {
            String value = variable.getValue();
            if (value.startsWith("/") && !value.startsWith("/dev/")) {
              assertThat(mountFor(container, value))
                  .as(name + ": " + container.getName() + " " + variable.getKey() + "=" + value)
                  .isPresent();
            }
          }
        }
      }
      assertThat(mounted).as(name + ": volumes nobody mounts").containsAll(volumes.keySet());
      assertThat(volumes.get("mesh").getConfigMap().getName())
          .isEqualTo(KubernetesModel.parse(text(MESH)).getMetadata().getName());
      Container sidecar = sidecar(pod);
      assertThat(sidecar.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(init(pod).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      // meshboot's own temporary files (java.io.tmpdir) and iptables' lock
      assertThat(mountFor(init(pod), "/tmp/x")).isPresent();
      assertThat(mountFor(init(pod), "/run/xtables.lock")).isPresent();
      assertThat(mountFor(sidecar, "/tmp/x")).isPresent();
      String mesh = env(sidecar).get("MESHBOOT_MESH");
      assertThat(mountFor(sidecar, mesh).map(VolumeMount::getName)).contains("mesh");
      assertThat(mountFor(sidecar, "/tmp/x").map(VolumeMount::getName))
          .hasValueSatisfying(v -> assertThat(volumes.get(v).getEmptyDir()).isNotNull());
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

  /** The one container (init or not) that runs meshboot's image as the sidecar. */
  private static Container sidecar(PodSpec pod) {
    List<Container> found =
        containers(pod).stream()
            .filter(c -> c.getImage().equals(IMAGE) && !c.getName().equals("proxyinit"))
            .toList();
    assertThat(found).hasSize(1);
    return found.getFirst();
  }

  private static Container init(PodSpec pod) {
    return pod.getInitContainers().stream()
        .filter(c -> c.getName().equals("proxyinit"))
        .findFirst()
        .orElseThrow();
  }

  private static List<Container> containers(PodSpec pod) {
    List<Container> all = new ArrayList<>(pod.getInitContainers());
    all.addAll(pod.getContainers());
    return all;
  }

  /** The variables with a literal value (the downward API's are left out). */
  private static Map<String, String> env(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar variable : container.getEnv()) {
      assertThat(env.containsKey(variable.getName()))
          .as("a second " + variable.getName())
          .isFalse();
      if (variable.getValueFrom() == null) {
        env.put(variable.getName(), variable.getValue());
      }
    }
    container.getEnv().stream()
        .filter(v -> v.getValueFrom() != null)
        .forEach(v -> assertThat(env).doesNotContainKey(v.getName()));
    return env;
  }

  private static Set<String> without(Set<String> names) {
    return names.stream()
        .filter(n -> !OTHER_VARIABLES.contains(n))
        .collect(Collectors.toUnmodifiableSet());
  }

  private static Optional<VolumeMount> mountFor(Container container, String path) {
    return Optional.ofNullable(container.getVolumeMounts()).orElse(List.of()).stream()
        .filter(m -> path.startsWith(m.getMountPath() + "/") || path.equals(m.getMountPath()))
        .findFirst();
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

  private static String option(List<String> command, String name) {
    int at = command.indexOf(name);
    assertThat(at).as(name + " in " + command).isPositive();
    return command.get(at + 1);
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

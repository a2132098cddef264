package dev.meshboot.cli;

import static dev.meshboot.cli.EksKit.CLASSIC;
import static dev.meshboot.cli.EksKit.DIR;
import static dev.meshboot.cli.EksKit.MESH;
import static dev.meshboot.cli.EksKit.NATIVE;
import static dev.meshboot.cli.EksKit.containers;
import static dev.meshboot.cli.EksKit.env;
import static dev.meshboot.cli.EksKit.init;
import static dev.meshboot.cli.EksKit.mountFor;
import static dev.meshboot.cli.EksKit.pod;
import static dev.meshboot.cli.EksKit.sidecar;
import static dev.meshboot.cli.EksKit.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests in {@code platforms/eks/} are what the Kubernetes API accepts: each is
 * read with fabric8's model ({@link KubernetesModel}), and a field the model does not know fails
 * the build. And what a model cannot judge of their shape: the sidecar is meshboot as a native
 * sidecar (or, in the classic variant, the first container with a postStart gate), and every path a
 * container is given lies on a volume (the root file system is read-only). What meshboot makes of
 * them is {@link EksManifestsMeshbootTest}'s.
 */
class EksManifestsTest {

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

  private static String option(List<String> command, String name) {
    int at = command.indexOf(name);
    assertThat(at).as(name + " in " + command).isPositive();
    return command.get(at + 1);
  }
}

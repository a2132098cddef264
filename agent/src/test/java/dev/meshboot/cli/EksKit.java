package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes kit of {@code platforms/eks/} as the EKS manifest tests read it, with fabric8's
 * model ({@link KubernetesModel}): its files, a Deployment's pod spec, the sidecar and the init
 * container, a container's literal variables and the volume mount a path lies on.
 */
final class EksKit {

  static final Path DIR = Path.of("..", "platforms", "eks");
  static final String NATIVE = "appmesh-pod.yaml";
  static final String CLASSIC = "appmesh-pod-classic.yaml";
  static final String MESH = "mesh.yaml";
  static final String IMAGE = "meshboot:latest";

  private EksKit() {}

  /** The file's text. */
  static String text(String name) throws IOException {
    return Files.readString(DIR.resolve(name));
  }

  /** The file as a Deployment. */
  private static Deployment deployment(String name) throws IOException {
    return (Deployment) KubernetesModel.parse(text(name));
  }

  /** The Deployment's pod spec. */
  static PodSpec pod(String name) throws IOException {
    return deployment(name).getSpec().getTemplate().getSpec();
  }

  /** The one container (init or not) that runs meshboot's image as the sidecar. */
  static Container sidecar(PodSpec pod) {
    List<Container> found =
        containers(pod).stream()
            .filter(c -> c.getImage().equals(IMAGE) && !c.getName().equals("proxyinit"))
            .toList();
    assertThat(found).hasSize(1);
    return found.getFirst();
  }

  /** The init container that enables the interception. */
  static Container init(PodSpec pod) {
    return pod.getInitContainers().stream()
        .filter(c -> c.getName().equals("proxyinit"))
        .findFirst()
        .orElseThrow();
  }

  /** The init containers, then the containers. */
  static List<Container> containers(PodSpec pod) {
    List<Container> all = new ArrayList<>(pod.getInitContainers());
    all.addAll(pod.getContainers());
    return all;
  }

  /** The variables with a literal value (the downward API's are left out). */
  static Map<String, String> env(Container container) {
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

  /** The container's volume mount {@code path} lies on. */
  static Optional<VolumeMount> mountFor(Container container, String path) {
    return Optional.ofNullable(container.getVolumeMounts()).orElse(List.of()).stream()
        .filter(m -> path.startsWith(m.getMountPath() + "/") || path.equals(m.getMountPath()))
        .findFirst();
  }
}

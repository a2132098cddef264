package dev.meshboot.it;

import static dev.meshboot.it.EksManifest.items;
import static dev.meshboot.it.EksManifest.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Each container's file system of an {@link EksManifest}'s pod, for {@link EksPodIT}: the pod's
 * volumes are directories in {@code work} (an emptyDir: a directory of its own, owned by the
 * container's user; the ConfigMap: {@code mesh.yaml}'s files), which a container's mount namespace
 * binds at its mount paths, everything else read-only. Closing removes the mount points it had to
 * make on this machine.
 */
final class EksPodFileSystem implements AutoCloseable {

  private final EksManifest manifest;
  private final Path work;
  private final Map<String, Path> volumes = new HashMap<>();
  private final List<Path> made = new ArrayList<>();

  EksPodFileSystem(EksManifest manifest, Path work) {
    this.manifest = manifest;
    this.work = work;
  }

  /**
   * The command prefix that gives {@code container} its file system: a mount namespace of its own
   * in which each of its volume mounts is the test's directory for that volume and everything else
   * read-only ({@code readOnlyRootFilesystem}).
   */
  List<String> prefix(Map<String, Object> container) throws IOException {
    Object user = map(container, "securityContext").get("runAsUser");
    StringBuilder script = new StringBuilder("set -e\n");
    List<String> words = new ArrayList<>();
    for (Map<String, Object> mount : items(container, "volumeMounts")) {
      String name = (String) mount.get("name");
      String at = (String) mount.get("mountPath");
      Path dir = volume(name, String.valueOf(user));
      mountPoint(Path.of(at));
      words.add(dir.toString());
      words.add(at);
      int source = words.size() - 1;
      script
          .append("mount --bind \"$")
          .append(source)
          .append("\" \"$")
          .append(source + 1)
          .append("\"\n");
      if (Boolean.TRUE.equals(mount.get("readOnly"))) {
        script.append("mount -o remount,bind,ro \"$").append(source + 1).append("\"\n");
      }
    }
    if (Boolean.TRUE.equals(map(container, "securityContext").get("readOnlyRootFilesystem"))) {
      script.append("mount -o remount,bind,ro /\n");
    }
    script.append("shift ").append(words.size()).append("\nexec \"$@\"\n");
    List<String> prefix = MountNamespace.script("sh", script.toString(), "sh");
    prefix.addAll(words);
    return prefix;
  }

  /** Where the test finds {@code path} of {@code container}'s file system (on a volume). */
  Path outside(Map<String, Object> container, String path) {
    for (Map<String, Object> mount : items(container, "volumeMounts")) {
      String at = mount.get("mountPath") + "/";
      if (path.startsWith(at)) {
        return volumes.get((String) mount.get("name")).resolve(path.substring(at.length()));
      }
    }
    throw new AssertionError(path + " is on no volume");
  }

  /**
   * Makes {@code at} a directory if it is not one: a mount point is needed on this machine's file
   * system, as in the image; what the test made is removed by {@link #close}.
   */
  private void mountPoint(Path at) throws IOException {
    Path missing = at;
    while (missing.getParent() != null && !Files.exists(missing.getParent())) {
      missing = missing.getParent();
    }
    if (!Files.exists(missing)) {
      Files.createDirectories(at);
      made.add(missing);
    }
  }

  /** The test's directory for volume {@code name} of the pod, made on first use. */
  private Path volume(String name, String user) throws IOException {
    Path known = volumes.get(name);
    if (known != null) {
      return known;
    }
    Map<String, Object> volume = manifest.volume(name);
    Path dir = Files.createDirectory(work.resolve("volume-" + name));
    if (volume.containsKey("emptyDir")) {
      Netns.run("chown", user + ":" + user, dir.toString());
    } else {
      Map<String, Object> configMap = EksManifest.read("mesh.yaml").document();
      assertThat(map(volume, "configMap").get("name"))
          .isEqualTo(map(configMap, "metadata").get("name"));
      for (Map.Entry<String, Object> file : map(configMap, "data").entrySet()) {
        Files.writeString(dir.resolve(file.getKey()), (String) file.getValue());
      }
    }
    volumes.put(name, dir);
    return dir;
  }

  @Override
  public void close() throws IOException {
    for (Path top : made.reversed()) {
      try (Stream<Path> files = Files.walk(top)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }
}

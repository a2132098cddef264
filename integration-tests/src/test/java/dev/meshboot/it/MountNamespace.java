package dev.meshboot.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The command prefix that runs a shell script in a mount namespace of its own (mounts private, so
 * nothing it binds or remounts reaches this machine's), the way the tests give a process the file
 * system a systemd unit or a Kubernetes container would give it.
 */
final class MountNamespace {

  private MountNamespace() {}

  /**
   * {@code unshare --mount --propagation private -- shell -c script name}, mutable: the script's
   * arguments and the command it ends by running follow.
   */
  static List<String> script(String shell, String script, String name) {
    return new ArrayList<>(
        List.of("unshare", "--mount", "--propagation", "private", "--", shell, "-c", script, name));
  }
}

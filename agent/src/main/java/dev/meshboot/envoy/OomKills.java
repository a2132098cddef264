package dev.meshboot.envoy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cgroup v2 {@code memory.events} {@code oom_kill} counter: when it rises while Envoy runs and
 * Envoy dies of SIGKILL, the OOM killer did it.
 *
 * @param events {@code /sys/fs/cgroup/memory.events} (a plain file in tests)
 */
public record OomKills(Path events) {

  /**
   * The current count; 0 when the file is missing or unreadable (cgroup v1, no memory controller).
   */
  public long count() {
    try {
      for (String line : Files.readAllLines(events)) {
        if (line.startsWith("oom_kill ")) {
          return Long.parseLong(line.substring("oom_kill ".length()).trim());
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unknown: never classified as OOM
    }
    return 0;
  }
}

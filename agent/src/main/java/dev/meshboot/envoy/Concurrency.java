package dev.meshboot.envoy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Envoy's worker count from the container's CPU quota (cgroup v2 {@code cpu.max}, else v1 {@code
 * cpu.cfs_quota_us}/{@code cpu.cfs_period_us}), not the host's core count, which Envoy would
 * otherwise use and which oversubscribes a small container.
 */
public final class Concurrency {

  private Concurrency() {}

  /**
   * The quota rounded up to whole CPUs, at least 1; empty when there is no quota.
   *
   * @param cgroupRoot {@code /sys/fs/cgroup} (a directory with the same layout in tests)
   */
  public static OptionalInt fromCgroup(Path cgroupRoot) {
    try {
      Path v2 = cgroupRoot.resolve("cpu.max");
      if (Files.isReadable(v2)) {
        String[] parts = Files.readString(v2).trim().split(" ", -1);
        if (parts.length == 2 && !parts[0].equals("max")) {
          return cpus(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
        }
        return OptionalInt.empty();
      }
      Path quota = cgroupRoot.resolve("cpu/cpu.cfs_quota_us");
      Path period = cgroupRoot.resolve("cpu/cpu.cfs_period_us");
      if (Files.isReadable(quota) && Files.isReadable(period)) {
        return cpus(
            Long.parseLong(Files.readString(quota).trim()),
            Long.parseLong(Files.readString(period).trim()));
      }
    } catch (IOException | NumberFormatException e) {
      // no usable quota: Envoy's own default applies
    }
    return OptionalInt.empty();
  }

  private static OptionalInt cpus(long quota, long period) {
    if (quota <= 0 || period <= 0) {
      return OptionalInt.empty();
    }
    return OptionalInt.of((int) Math.max(1, (quota + period - 1) / period));
  }
}

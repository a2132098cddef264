package dev.meshboot.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.config.Environment;
import dev.meshboot.config.ProcessConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Envoy's command line, the cgroup CPU quota and the OOM counter. */
class ProcessFactsTest {

  @Test
  void buildsTheContractsCommandLine() {
    ProcessConfig process =
        ProcessConfig.from(
            Environment.of(
                Map.of("LISTENER_DRAIN_WAIT_TIME_S", "30", "ENVOY_SKIP_DEPRECATED_LOGS", "false")));
    assertThat(
            EnvoyArgs.of(
                Path.of("/usr/bin/envoy"),
                Path.of("/tmp/b.json"),
                "info",
                OptionalInt.of(2),
                process,
                List.of("--base-id", "1")))
        .containsExactly(
            "/usr/bin/envoy",
            "-c",
            "/tmp/b.json",
            "-l",
            "info",
            "--drain-time-s",
            "30",
            "--concurrency",
            "2",
            "--disable-hot-restart",
            "--base-id",
            "1");
  }

  @Test
  void derivesConcurrencyFromTheCgroupQuota(@TempDir Path tmp) throws IOException {
    assertThat(Concurrency.fromCgroup(tmp)).isEmpty();
    Files.writeString(tmp.resolve("cpu.max"), "max 100000\n");
    assertThat(Concurrency.fromCgroup(tmp)).isEmpty();
    Files.writeString(tmp.resolve("cpu.max"), "150000 100000\n");
    assertThat(Concurrency.fromCgroup(tmp)).hasValue(2);
    Files.writeString(tmp.resolve("cpu.max"), "50000 100000\n");
    assertThat(Concurrency.fromCgroup(tmp)).hasValue(1);
    Files.delete(tmp.resolve("cpu.max"));
    Files.createDirectories(tmp.resolve("cpu"));
    Files.writeString(tmp.resolve("cpu/cpu.cfs_quota_us"), "400000\n");
    Files.writeString(tmp.resolve("cpu/cpu.cfs_period_us"), "100000\n");
    assertThat(Concurrency.fromCgroup(tmp)).hasValue(4);
    Files.writeString(tmp.resolve("cpu/cpu.cfs_quota_us"), "-1\n");
    assertThat(Concurrency.fromCgroup(tmp)).isEmpty();
  }

  @Test
  void readsTheOomKillCounter(@TempDir Path tmp) throws IOException {
    Path events = tmp.resolve("memory.events");
    assertThat(new OomKills(events).count()).isZero();
    Files.writeString(events, "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\n");
    assertThat(new OomKills(events).count()).isEqualTo(2);
  }
}

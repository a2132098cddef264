package dev.meshboot.envoy;

import dev.meshboot.config.ProcessConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** Envoy's command line as the contract defines it (§8). */
public final class EnvoyArgs {

  private EnvoyArgs() {}

  /**
   * {@code envoy -c <bootstrap> -l <level> --drain-time-s <n> [--concurrency n]
   * [--disable-hot-restart] [--skip-deprecated-logs] [extra...]}.
   */
  public static List<String> of(
      Path envoy,
      Path bootstrap,
      String logLevel,
      OptionalInt concurrency,
      ProcessConfig process,
      List<String> extra) {
    List<String> argv = new ArrayList<>();
    argv.add(envoy.toString());
    argv.add("-c");
    argv.add(bootstrap.toString());
    argv.add("-l");
    argv.add(logLevel);
    argv.add("--drain-time-s");
    argv.add(Long.toString(process.drainTime().toSeconds()));
    if (concurrency.isPresent()) {
      argv.add("--concurrency");
      argv.add(Integer.toString(concurrency.getAsInt()));
    }
    if (process.disableHotRestart()) {
      argv.add("--disable-hot-restart");
    }
    if (process.skipDeprecatedLogs()) {
      argv.add("--skip-deprecated-logs");
    }
    argv.addAll(extra);
    return List.copyOf(argv);
  }
}

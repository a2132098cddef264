package dev.meshboot.cli;

import dev.meshboot.bootstrap.BootstrapWriter;
import dev.meshboot.config.InputFiles;
import dev.meshboot.envoy.AdoptedProcess;
import dev.meshboot.envoy.Children;
import dev.meshboot.envoy.Posix;
import dev.meshboot.io.FileIdentity;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The launcher's part in a {@code meshboot run} (issue #15, {@link LaunchRecord}): the Envoy
 * bin/meshboot started from a launch record before it became this JVM ({@code MESHBOOT_ADOPT}),
 * which the run checks against what it would start and keeps or replaces, and the record this run
 * writes for the next start ({@code MESHBOOT_LAUNCH_KEY}, {@code MESHBOOT_LAUNCH_RECORD}).
 */
final class LaunchedEnvoy {

  private static final Log log = Log.of(LaunchedEnvoy.class);

  /** How long an Envoy being stopped or replaced may take to exit. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  /** How long anything waits for the native calls, linked in the background. */
  private static final Duration NATIVE_WAIT = Duration.ofSeconds(10);

  private final Map<String, String> environment;
  private final String key;
  private final Optional<Path> recordPath;
  private final Optional<LaunchRecord> record;
  private final AtomicReference<@Nullable AdoptedProcess> adopted = new AtomicReference<>();

  /** Files this run made beside the record (a check render, a report), removed when it ends. */
  private final List<Path> scratch = new java.util.concurrent.CopyOnWriteArrayList<>();

  private LaunchedEnvoy(Map<String, String> environment) {
    this.environment = environment;
    this.key = environment.getOrDefault(LaunchRecord.KEY, "");
    String given = environment.getOrDefault(LaunchRecord.RECORD, "");
    this.recordPath =
        given.startsWith("/") && !key.isEmpty() ? Optional.of(Path.of(given)) : Optional.empty();
    this.record =
        environment.getOrDefault(LaunchRecord.ADOPT, "").isEmpty()
            ? Optional.empty()
            : recordPath.flatMap(LaunchRecord::read).filter(found -> found.key().equals(key));
  }

  /**
   * The launcher's part of this run, adopting the Envoy the launcher started, if it started one:
   * from then on it is this run's to keep or stop (a run that fails before the supervisor takes it
   * stops it: {@link #owner()}).
   *
   * @param posix the native calls, linked in the background
   */
  static LaunchedEnvoy adopt(
      Map<String, String> environment,
      Children children,
      CompletableFuture<Optional<Posix>> posix) {
    LaunchedEnvoy launched = new LaunchedEnvoy(environment);
    String given = environment.getOrDefault(LaunchRecord.ADOPT, "");
    if (given.isEmpty()) {
      return launched;
    }
    try {
      int pid = Integer.parseInt(given);
      if (pid > 1 && isChild(pid)) {
        launched.adopted.set(AdoptedProcess.adopt(pid, children, () -> await(posix)));
        return launched;
      }
    } catch (IOException | RuntimeException e) {
      log.debug("no adoptable envoy", "error", e.toString());
    }
    log.warn("MESHBOOT_ADOPT names no child of meshboot; ignored", "pid", given);
    return launched;
  }

  /**
   * Whether {@code pid} is this process's child, from /proc: a stray {@code MESHBOOT_ADOPT} must
   * never make meshboot signal another process.
   */
  private static boolean isChild(int pid) throws IOException {
    // /proc/PID/stat: "PID (COMM) STATE PPID ...", COMM may hold spaces and parentheses
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
    String self = Files.readSymbolicLink(Path.of("/proc/self")).toString();
    return fields.length > 1 && fields[1].equals(self);
  }

  private static Optional<Posix> await(CompletableFuture<Optional<Posix>> posix) {
    try {
      return posix.get(NATIVE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException e) {
      return Optional.empty();
    }
  }

  /** Whether the launcher asked for a launch record of this start. */
  boolean recording() {
    return recordPath.isPresent();
  }

  /** Whether an Envoy the launcher started is still this run's to keep or replace. */
  boolean holding() {
    return adopted.get() != null;
  }

  /** The pid of the Envoy the launcher started, while this run holds it; -1 otherwise. */
  long pid() {
    AdoptedProcess process = adopted.get();
    return process == null ? -1 : process.pid();
  }

  /** The adopted Envoy, for the supervisor, which owns it from then on; null when there is none. */
  @Nullable AdoptedProcess take() {
    return adopted.getAndSet(null);
  }

  /**
   * Stops the adopted Envoy unless the supervisor took it, for a run that ends before that (a stop
   * while starting, a failure): SIGTERM, which Envoy answers by exiting at once (there is no drain
   * before the supervisor runs), then SIGKILL; and removes the run's files beside the record.
   */
  AutoCloseable owner() {
    return () -> {
      AdoptedProcess process = adopted.getAndSet(null);
      if (process != null) {
        process.destroy();
        if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn("envoy did not stop on SIGTERM; killing it", "pid", process.pid());
          kill(process);
        }
      }
      scratch.forEach(LaunchedEnvoy::deleteQuietly);
    };
  }

  /**
   * Kills the adopted Envoy, if the supervisor has not taken it, and waits until it is gone (its
   * ports free): this start runs another one, for the reason {@code why}.
   */
  void replace(String why) {
    AdoptedProcess process = adopted.getAndSet(null);
    if (process == null) {
      return;
    }
    log.warn(
        "the envoy the launcher started from the launch record differs from this start; replacing"
            + " it",
        "pid",
        process.pid(),
        "why",
        why);
    kill(process);
  }

  /** SIGKILL, and a wait for the exit. */
  private static void kill(AdoptedProcess process) {
    process.destroyForcibly();
    try {
      if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.error("envoy did not exit after SIGKILL", "pid", process.pid());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Where the renderer writes while the adopted Envoy runs (beside the record, in the bootstrap's
   * format), to be compared ({@link #compare}); empty when nothing was adopted from a record.
   */
  Optional<Path> checkFile(Path bootstrapPath) {
    AdoptedProcess process = adopted.get();
    if (process == null || record.isEmpty() || recordPath.isEmpty()) {
      return Optional.empty();
    }
    String format = BootstrapWriter.Format.forFile(bootstrapPath).name().toLowerCase(Locale.ROOT);
    Path check = sibling(recordPath.get(), process.pid() + ".check." + format);
    scratch.add(check);
    return Optional.of(check);
  }

  /** Where the renderer reports what it read, when a record is to be written. */
  Optional<Path> reportFile() {
    Optional<Path> report =
        recordPath.map(path -> sibling(path, Long.toString(System.nanoTime()) + ".report"));
    report.ifPresent(scratch::add);
    return report;
  }

  private static Path sibling(Path record, String suffix) {
    return record.resolveSibling(record.getFileName() + "." + suffix);
  }

  /**
   * Compares the bootstrap the renderer wrote to {@code check} with the one the adopted Envoy was
   * started with: the same, the check is dropped; else the Envoy is replaced and the new bootstrap
   * written in place.
   */
  void compare(Path check, Path bootstrapPath) {
    try {
      String rendered = Files.readString(check);
      if (!rendered.equals(currentText(bootstrapPath).orElse(null))) {
        replace("the bootstrap this start renders is not the one it was started with");
        BootstrapWriter.writeAtomically(bootstrapPath, rendered);
        log.info("wrote bootstrap", "file", bootstrapPath);
      }
    } catch (IOException e) {
      throw new Main.OutputException(
          "cannot put the rendered bootstrap "
              + check
              + " in place at "
              + bootstrapPath
              + ": "
              + e.getMessage(),
          e);
    } finally {
      deleteQuietly(check);
    }
  }

  /** A renderer's report (read, then removed); empty when it wrote none. */
  static Optional<String> readReport(Path report) {
    try {
      return Optional.of(Files.readString(report));
    } catch (IOException e) {
      return Optional.empty();
    } finally {
      deleteQuietly(report);
    }
  }

  /**
   * Keeps the adopted Envoy if it runs what this start would have started: the command line and the
   * environment's missing names as recorded, and not through the relay; replaces it otherwise. (An
   * Envoy of the embedded control plane has been retrying its socket until the JVM served it, every
   * 25-100 ms: the bootstrap's retry policy. The relay's is Envoy's default, 500 ms up to 30 s,
   * kept for a remote server's outages, and its TLS connection takes longer than the JVM's start
   * anyway: no relay run is recorded.)
   *
   * @param argv the command line this start would run, wrappers first
   * @param forEnvoy the environment this start would give Envoy
   * @param relayed whether Envoy's management connection is the relay's
   */
  void keepIfSame(List<String> argv, Map<String, String> forEnvoy, boolean relayed) {
    AdoptedProcess process = adopted.get();
    if (process == null) {
      return;
    }
    if (relayed) {
      replace("its bootstrap connects to the relay, which was not serving yet");
    } else if (!record.map(found -> found.argv().equals(argv)).orElse(false)) {
      replace("its command line is not this start's");
    } else if (!record.map(found -> found.unset().equals(unset(forEnvoy))).orElse(false)) {
      replace("its environment is not this start's");
    } else {
      log.info(
          "envoy was started by the launcher from the launch record; supervising it",
          "pid",
          process.pid());
      recordPath.ifPresent(LaunchedEnvoy::touch);
    }
  }

  /** Marks a record used now: the newest are kept ({@link LaunchRecord#keepNewest}). */
  private static void touch(Path record) {
    try {
      Files.setLastModifiedTime(record, FileTime.from(Instant.now()));
    } catch (IOException e) {
      log.debug("cannot mark the launch record used", "file", record, "error", e.toString());
    }
  }

  /** The names of this process's variables that {@code forEnvoy} lacks, less the launch's own. */
  private List<String> unset(Map<String, String> forEnvoy) {
    return environment.keySet().stream()
        .filter(name -> !forEnvoy.containsKey(name))
        .filter(name -> !name.startsWith("MESHBOOT_LAUNCH_") && !name.equals(LaunchRecord.ADOPT))
        .sorted()
        .toList();
  }

  /**
   * Writes the launch record, on a thread of its own, when the launcher asked for one and the start
   * can be repeated from it: every file named can be versioned, the renderer (if one ran) reported
   * what it read and wrote no side file, nothing in the record spans lines. Called when the
   * supervisor has started an Envoy of its own, not once it is LIVE: an Envoy that fails with this
   * bootstrap is what the next start would run without a record too, and a short run (a
   * benchmark's) records as well.
   *
   * @param report what the renderer reported; empty when no renderer ran
   */
  void record(
      Path bootstrapPath,
      Path envoy,
      List<String> argv,
      Map<String, String> forEnvoy,
      Optional<String> report) {
    if (recordPath.isEmpty()) {
      return;
    }
    Path target = recordPath.get();
    Thread.ofVirtual()
        .name("meshboot-launch-record")
        .start(
            () -> {
              Optional<LaunchRecord> made = recordNow(bootstrapPath, envoy, argv, forEnvoy, report);
              if (made.isEmpty()) {
                log.debug("no launch record: this start cannot be repeated from one");
                return;
              }
              try {
                made.get().write(target);
                log.debug("launch record written", "file", target);
                @Nullable Path dir = target.getParent();
                if (dir != null) {
                  LaunchRecord.keepNewest(dir, LaunchRecord.KEPT);
                }
              } catch (IOException | RuntimeException e) {
                log.debug("cannot write the launch record", "file", target, "error", e.toString());
              }
            });
  }

  private Optional<LaunchRecord> recordNow(
      Path bootstrapPath,
      Path envoy,
      List<String> argv,
      Map<String, String> forEnvoy,
      Optional<String> report) {
    List<LaunchRecord.Version> files = new ArrayList<>();
    Optional<Path> jar = ValidatedConfigFiles.meshbootJar();
    if (jar.isEmpty()) {
      return Optional.empty();
    }
    for (Path file : List.of(jar.get(), envoy)) {
      Optional<String> version = FileIdentity.statForm(file);
      if (version.isEmpty()) {
        return Optional.empty();
      }
      files.add(new LaunchRecord.Version(version.get(), file.toAbsolutePath()));
    }
    Optional<List<InputFiles.Read>> reads = InputFiles.reads();
    Optional<List<LaunchRecord.Version>> reported = LaunchRecord.reported(report.orElse(""));
    if (reads.isEmpty() || reported.isEmpty()) {
      return Optional.empty();
    }
    files.addAll(LaunchRecord.inputs(reads.get()));
    reported.get().stream().filter(version -> !files.contains(version)).forEach(files::add);
    if (!Files.isRegularFile(bootstrapPath, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    // the version before the text: a bootstrap changed meanwhile is rewritten next time
    Optional<String> version = FileIdentity.statForm(bootstrapPath);
    Optional<String> text = currentText(bootstrapPath);
    if (version.isEmpty() || text.isEmpty()) {
      return Optional.empty();
    }
    LaunchRecord made =
        new LaunchRecord(
            key,
            files,
            new LaunchRecord.Version(version.get(), bootstrapPath.toAbsolutePath()),
            unset(forEnvoy),
            argv,
            text.get());
    return made.writable() ? Optional.of(made) : Optional.empty();
  }

  /** The text at {@code file} if it is a regular file of at most 16 MiB. */
  static Optional<String> currentText(Path file) {
    try {
      if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) <= 16 << 20) {
        return Optional.of(Files.readString(file));
      }
    } catch (IOException | RuntimeException e) {
      log.debug("cannot read the bootstrap in place", "file", file, "error", e.toString());
    }
    return Optional.empty();
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.debug("cannot remove", "file", file, "error", e.toString());
    }
  }
}

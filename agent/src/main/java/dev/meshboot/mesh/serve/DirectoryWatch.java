package dev.meshboot.mesh.serve;

import dev.meshboot.log.Log;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Notices changes to a definition: a directory (recursively) or one file. The kernel tells first
 * ({@link WatchService}, inotify on Linux: every directory of the tree is registered, new ones as
 * they appear; a file written, added, removed or renamed into place, a Kubernetes ConfigMap's
 * {@code ..data} link swapped); a periodic look at every file's size, modification time and inode
 * (links followed) catches what the kernel does not report (network and some container
 * filesystems), later. Either calls {@code changed}, which may be called for nothing: the server
 * reloads and finds the same content.
 */
final class DirectoryWatch implements AutoCloseable {

  private static final Log log = Log.of(DirectoryWatch.class);

  /** The deepest directory followed. */
  private static final int MAX_DEPTH = 32;

  private final Path root;
  private final boolean single;
  private final Runnable changed;
  private final WatchService watcher;
  private final Thread thread;
  private final ScheduledFuture<?> check;
  private volatile Map<String, String> fingerprint;

  private DirectoryWatch(
      Path root, Runnable changed, ScheduledExecutorService timer, Duration every)
      throws IOException {
    this.root = root;
    this.single = !Files.isDirectory(root);
    this.changed = changed;
    this.fingerprint = fingerprint();
    this.watcher = FileSystems.getDefault().newWatchService();
    try {
      if (single) {
        register(Objects.requireNonNull(root.toAbsolutePath().getParent()));
      } else {
        registerTree(root);
      }
    } catch (IOException | RuntimeException e) {
      watcher.close();
      throw e;
    }
    this.thread = Thread.ofPlatform().name("meshboot-mesh-watch").daemon(true).unstarted(this::run);
    this.check =
        timer.scheduleWithFixedDelay(
            this::compare, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Watches {@code root}; the periodic look runs every {@code every} on {@code timer}.
   *
   * @throws IOException when the kernel's watch cannot be set up
   */
  static DirectoryWatch start(
      Path root, Runnable changed, ScheduledExecutorService timer, Duration every)
      throws IOException {
    DirectoryWatch watch = new DirectoryWatch(root, changed, timer, every);
    watch.thread.start();
    return watch;
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = watcher.poll(1, TimeUnit.SECONDS);
        if (key == null) {
          continue;
        }
        boolean relevant = false;
        Path directory = (Path) key.watchable();
        for (WatchEvent<?> event : key.pollEvents()) {
          if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
            relevant = true;
            continue;
          }
          Path name = (Path) event.context();
          if (single && !name.equals(root.getFileName())) {
            continue;
          }
          relevant = true;
          Path child = directory.resolve(name);
          if (!single
              && event.kind() == StandardWatchEventKinds.ENTRY_CREATE
              && Files.isDirectory(child)) {
            registerTree(child);
          }
        }
        key.reset();
        if (relevant) {
          changed.run();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    } catch (IOException | RuntimeException e) {
      log.warn(
          "the definition's directory is no longer watched; changes are noticed by looking",
          "root",
          root,
          "error",
          e.toString());
    }
  }

  private void compare() {
    try {
      Map<String, String> now = fingerprint();
      if (!now.equals(fingerprint)) {
        fingerprint = now;
        changed.run();
      }
    } catch (RuntimeException e) {
      log.warn("cannot look at the definition's files", "root", root, "error", e.toString());
    }
  }

  /** Every file's path with its size, modification time and inode (links followed). */
  private Map<String, String> fingerprint() {
    Map<String, String> files = new TreeMap<>();
    try {
      Files.walkFileTree(
          root,
          EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          MAX_DEPTH,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
              return !dir.equals(root) && hidden(dir)
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
              files.put(
                  root.relativize(file).toString(),
                  attributes.size()
                      + " "
                      + attributes.lastModifiedTime().toInstant()
                      + " "
                      + attributes.fileKey());
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              files.put(root.relativize(file).toString(), "unreadable " + e.getClass().getName());
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      files.put("", "unreadable " + e.getClass().getName());
    }
    return files;
  }

  private void registerTree(Path directory) throws IOException {
    Files.walkFileTree(
        directory,
        EnumSet.noneOf(FileVisitOption.class),
        MAX_DEPTH,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes)
              throws IOException {
            if (!dir.equals(root) && hidden(dir)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            register(dir);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // the periodic look reports it
          }
        });
  }

  private void register(Path directory) throws IOException {
    directory.register(
        watcher,
        StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_DELETE,
        StandardWatchEventKinds.ENTRY_MODIFY);
  }

  /** Hidden directories (version control, editors' state) are not part of a definition. */
  private static boolean hidden(Path path) {
    @Nullable Path name = path.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  @Override
  public void close() {
    check.cancel(false);
    try {
      watcher.close();
    } catch (IOException e) {
      log.debug("cannot close the watch", "error", e.toString());
    }
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

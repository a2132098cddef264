package dev.meshboot.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Whole-file writes that readers see complete or not at all: a temporary file beside the target,
 * created with the final mode, flushed to disk, then renamed over the target.
 */
public final class AtomicFiles {

  /** The bootstrap and its side files: the owner writes, the group (Envoy's user) reads. */
  public static final Set<PosixFilePermission> MODE_0640 =
      PosixFilePermissions.fromString("rw-r-----");

  /** Files only meshboot reads. */
  public static final Set<PosixFilePermission> MODE_0600 =
      PosixFilePermissions.fromString("rw-------");

  private static final int S_IFMT = 0170000;
  private static final int S_IFIFO = 0010000;
  private static final int S_IFCHR = 0020000;

  /** How long a write to a FIFO may wait for its reader. */
  static final java.time.Duration WRITE_THROUGH_TIMEOUT = java.time.Duration.ofSeconds(10);

  private AtomicFiles() {}

  /**
   * Writes an output the user named, by what is at the path: a regular file (or nothing) is
   * replaced atomically ({@link #write}); a symbolic link is followed and its target replaced
   * atomically, the link kept; a character device or a FIFO ({@code /dev/stdout}, {@code
   * /proc/self/fd/1}, a pipe) is written through, a FIFO waiting at most {@link
   * #WRITE_THROUGH_TIMEOUT} for a reader. Anything else (a directory, a socket, a block device) is
   * refused.
   *
   * @throws IOException naming the path and why, when it cannot be written
   */
  public static void writeOutput(Path file, byte[] bytes, Set<PosixFilePermission> mode)
      throws IOException {
    writeOutput(file, bytes, mode, WRITE_THROUGH_TIMEOUT);
  }

  static void writeOutput(
      Path file, byte[] bytes, Set<PosixFilePermission> mode, java.time.Duration timeout)
      throws IOException {
    Path target = file;
    for (int hops = 0; Files.isSymbolicLink(target); hops++) {
      if (hops == 40) {
        throw new IOException(file + ": too many levels of symbolic links");
      }
      if (Files.exists(target) && !Files.isRegularFile(target)) {
        break; // a link to a device, a pipe (/proc/self/fd/1 -> pipe:[n]): written through
      }
      target = target.resolveSibling(Files.readSymbolicLink(target));
    }
    if (!Files.exists(target)) {
      write(target, bytes, mode);
      return;
    }
    if (Files.isRegularFile(target)) {
      write(target.toRealPath(), bytes, mode);
      return;
    }
    int type = ((Integer) Files.getAttribute(target, "unix:mode")) & S_IFMT;
    if (type != S_IFIFO && type != S_IFCHR) {
      throw new IOException(
          file
              + " is "
              + (Files.isDirectory(target) ? "a directory" : "neither a file nor a device")
              + "; name a file (replaced atomically), a device or a pipe");
    }
    writeThrough(target, bytes, file, timeout);
  }

  /** Writes into an existing device or FIFO, bounded in time (a FIFO may never get a reader). */
  private static void writeThrough(
      Path target, byte[] bytes, Path named, java.time.Duration timeout) throws IOException {
    java.util.concurrent.CompletableFuture<Void> done =
        new java.util.concurrent.CompletableFuture<>();
    Thread writer =
        Thread.ofPlatform()
            .name("meshboot-write-through")
            .daemon(true)
            .start(
                () -> {
                  try (SeekableByteChannel channel =
                      Files.newByteChannel(target, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                      channel.write(buffer);
                    }
                    done.complete(null);
                  } catch (IOException | RuntimeException e) {
                    done.completeExceptionally(e);
                  }
                });
    try {
      done.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      writer.interrupt();
      throw new IOException(named + ": nothing read it within " + timeout.toMillis() + " ms", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io
          ? io
          : new IOException(named + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(named + ": interrupted", e);
    }
  }

  /**
   * Writes {@code bytes} to {@code file} through a temporary file in the same directory and an
   * atomic rename: readers see the old file or the new one, never a part; on failure the old file
   * is untouched.
   */
  public static void write(Path file, byte[] bytes, Set<PosixFilePermission> mode)
      throws IOException {
    Path absolute = file.toAbsolutePath();
    Path temp = create(absolute, mode);
    try {
      try (SeekableByteChannel channel = Files.newByteChannel(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        if (channel instanceof FileChannel fileChannel) {
          fileChannel.force(true);
        }
      }
      // The mode is set again: the umask may have narrowed or the file system ignored it.
      Files.setPosixFilePermissions(temp, mode);
      try {
        Files.move(
            temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Creates an empty temporary file beside {@code target} with {@code mode} from the start. Not
   * {@code Files.createTempFile}: its random names initialize SecureRandom, ~20 ms of start-up; a
   * clash of these names fails on CREATE_NEW and is retried, never clobbering another writer's
   * file.
   */
  private static Path create(Path target, Set<PosixFilePermission> mode) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path candidate =
          target.resolveSibling("." + target.getFileName() + "." + System.nanoTime() + ".tmp");
      try {
        Files.newByteChannel(
                candidate,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(mode))
            .close();
        return candidate;
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 10) {
          throw e;
        }
      }
    }
  }
}

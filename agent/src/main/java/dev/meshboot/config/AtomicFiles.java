package dev.meshboot.config;

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

  private AtomicFiles() {}

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

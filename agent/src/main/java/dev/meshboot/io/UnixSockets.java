package dev.meshboot.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * Creates a listening unix socket that only its owner may use (mode 0600), never reachable with
 * wider permissions: bound under a temporary name, restricted, then renamed into place. A stale
 * socket of an earlier run is replaced; any other file at the path is an error.
 */
public final class UnixSockets {

  private UnixSockets() {}

  /** Binds a server; given the temporary path, returns what closes it. */
  public interface Binder<T extends AutoCloseable> {
    T bind(Path temporary) throws IOException;
  }

  /** Binds {@code path} privately through {@code binder}. */
  public static <T extends AutoCloseable> T bindPrivately(Path path, Binder<T> binder)
      throws IOException {
    Path absolute = path.toAbsolutePath();
    Path parent = Objects.requireNonNull(absolute.getParent(), "an absolute path has a parent");
    // Only the user may enter directories made here, whatever the umask (the socket is 0600).
    if (!Files.isDirectory(parent)) {
      Files.createDirectories(
          parent,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    }
    if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
      if (!isSocket(absolute)) {
        throw new IOException(
            "cannot listen on unix:" + absolute + ": the path exists and is not a unix socket");
      }
      Files.delete(absolute);
    }
    Path temporary =
        parent.resolve("." + absolute.getFileName() + "." + ProcessHandle.current().pid());
    Files.deleteIfExists(temporary);
    T bound = binder.bind(temporary);
    try {
      Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
      Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        bound.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      Files.deleteIfExists(temporary);
      throw new IOException("cannot listen on unix:" + absolute + ": " + e.getMessage(), e);
    }
    return bound;
  }

  private static boolean isSocket(Path path) throws IOException {
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return (mode & 0170000) == 0140000;
  }
}

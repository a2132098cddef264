package dev.meshboot.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Which file a path names, and which version of it: its real path, size, modification time and
 * inode. A binary or jar replaced in place (a new release, a rebuilt jar) gets another identity, so
 * facts remembered about the old one are not taken for the new one's.
 */
public final class FileIdentity {

  private FileIdentity() {}

  /** The identity of the file {@code path} names; empty when it cannot be read. */
  public static Optional<String> of(Path path) {
    try {
      Path real = path.toRealPath();
      BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
      return Optional.of(
          real
              + " size="
              + attributes.size()
              + " mtime="
              + attributes.lastModifiedTime().toInstant()
              + " inode="
              + attributes.fileKey());
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
  }
}

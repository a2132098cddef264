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

  /**
   * The version of a file as coreutils prints it with {@code stat -L -c '%s-%.9Y-%i'} (size,
   * modification time in seconds to the nanosecond, inode), which is how {@code bin/meshboot}
   * checks that a file is still the one a launch record names; empty when it cannot be looked at.
   */
  public static Optional<String> statForm(Path path) {
    try {
      return Optional.of(statForm(Files.readAttributes(path, BasicFileAttributes.class)));
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
  }

  /** {@link #statForm(Path)} of attributes already read (following links). */
  public static String statForm(BasicFileAttributes attributes) {
    java.time.Instant mtime = attributes.lastModifiedTime().toInstant();
    // the file key prints as (dev=...,ino=N)
    String key = String.valueOf(attributes.fileKey());
    int ino = key.indexOf("ino=");
    String inode = ino < 0 ? "?" : key.substring(ino + 4).replaceAll("\\D.*", "");
    return attributes.size()
        + "-"
        + mtime.getEpochSecond()
        + "."
        + String.format(java.util.Locale.ROOT, "%09d", mtime.getNano())
        + "-"
        + inode;
  }
}

package dev.meshboot.envoy;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.InputFiles;
import dev.meshboot.io.FileIdentity;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Remembers what {@code envoy --version} printed for a binary, keyed by its path, size,
 * modification time and inode: running Envoy only to read its version costs ~40 ms of CPU at every
 * start. A cache that cannot be read or written is skipped, never an error.
 *
 * @param dir the cache directory
 */
public record VersionCache(Path dir) {

  private static final Log log = Log.of(VersionCache.class);

  /** What the binary printed last time, if it has not changed since. */
  Optional<String> get(Path binary) {
    Optional<String> key = FileIdentity.of(binary);
    if (key.isEmpty()) {
      return Optional.empty();
    }
    Path file = file(key.get());
    if (!Files.isRegularFile(file)) {
      return Optional.empty(); // not cached yet (or something else is there: asked again)
    }
    try {
      String text = InputFiles.read(file, "MESHBOOT_CACHE_DIR", 4096);
      int newline = text.indexOf('\n');
      if (newline > 0 && text.substring(0, newline).equals(key.get())) {
        return Optional.of(text.substring(newline + 1));
      }
    } catch (ConfigException e) {
      log.debug("ignored an unusable cache file", "error", e.getMessage());
    }
    return Optional.empty();
  }

  /** Records the output for the binary as it is now. */
  void put(Path binary, String output) {
    Optional<String> key = FileIdentity.of(binary);
    if (key.isEmpty()) {
      return;
    }
    try {
      Files.createDirectories(dir);
      Path target = file(key.get());
      Path temp = target.resolveSibling(target.getFileName() + "." + System.nanoTime() + ".tmp");
      Files.writeString(temp, key.get() + "\n" + output, StandardCharsets.UTF_8);
      Files.move(
          temp,
          target,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("cannot cache envoy --version", "dir", dir, "error", e.toString());
    }
  }

  private Path file(String key) {
    return dir.resolve("envoy-version-" + Integer.toHexString(key.hashCode()) + ".txt");
  }
}

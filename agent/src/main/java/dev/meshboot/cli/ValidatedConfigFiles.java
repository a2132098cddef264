package dev.meshboot.cli;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.InputFiles;
import dev.meshboot.io.AtomicFiles;
import dev.meshboot.io.FileIdentity;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Remembers the bootstrap written for an {@code ENVOY_CONFIG_FILE} that passed validation, keyed by
 * the file's path and content, the output format, and the identities of meshboot's jar and of the
 * Envoy binary: a {@code meshboot run} that finds the same key writes the remembered bootstrap and
 * starts Envoy without a renderer, instead of loading the Envoy schema (~0.35 s) to validate the
 * same bytes again. One entry per config file path and format, replaced when its content changes,
 * so the directory does not grow with edits. A cache that cannot be read or written is skipped,
 * never an error: the file is then validated as on a first start.
 *
 * @param dir the cache directory (MESHBOOT_CACHE_DIR or where it defaults to)
 */
record ValidatedConfigFiles(Path dir) {

  private static final Log log = Log.of(ValidatedConfigFiles.class);

  /** A remembered bootstrap is at most this large (a 1 MiB input, pretty-printed). */
  private static final int LIMIT = 8 << 20;

  /**
   * What decides whether a validation still holds for {@code file}; empty when meshboot or Envoy
   * cannot be identified (classes outside a jar: tests), and nothing is remembered then.
   *
   * @param content the file's content, exactly as validated
   */
  static Optional<Key> key(Path file, String content, String format, Optional<Path> envoy) {
    Optional<String> meshboot = meshbootJar().flatMap(FileIdentity::of);
    Optional<String> envoyIdentity = envoy.flatMap(FileIdentity::of);
    if (meshboot.isEmpty() || envoyIdentity.isEmpty()) {
      return Optional.empty();
    }
    String slot = file.toAbsolutePath() + " " + format;
    return Optional.of(
        new Key(
            slot,
            "file="
                + slot
                + " meshboot="
                + meshboot.get()
                + " envoy="
                + envoyIdentity.get()
                + " chars="
                + content.length()
                + "\n"
                + content));
  }

  /**
   * The entry's two parts.
   *
   * @param slot which file the entry lives in: the config file's path and the format
   * @param validity what must be equal for the entry to be used: the identities and the whole
   *     content (compared, not hashed: no digest to initialise at start, no collision to argue)
   */
  record Key(String slot, String validity) {}

  /** The bootstrap written last time for this key, if the key is unchanged. */
  Optional<String> get(Key key) {
    Path file = file(key);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      // the validity's length, the validity, the bootstrap: no content can pass for another
      String text = InputFiles.read(file, "MESHBOOT_CACHE_DIR", LIMIT);
      String header = key.validity().length() + "\n";
      if (text.startsWith(header) && text.startsWith(key.validity(), header.length())) {
        return Optional.of(text.substring(header.length() + key.validity().length()));
      }
    } catch (ConfigException e) {
      log.debug("ignored an unusable cache file", "error", e.getMessage());
    }
    return Optional.empty();
  }

  /** Remembers {@code bootstrap} as what this key's file validated into. */
  void put(Key key, String bootstrap) {
    try {
      Files.createDirectories(dir);
      // only meshboot reads it: the user's bootstrap may hold credentials of its own
      AtomicFiles.write(
          file(key),
          (key.validity().length() + "\n" + key.validity() + bootstrap)
              .getBytes(StandardCharsets.UTF_8),
          AtomicFiles.MODE_0600);
    } catch (IOException | RuntimeException e) {
      log.debug(
          "cannot remember the validated ENVOY_CONFIG_FILE", "dir", dir, "error", e.toString());
    }
  }

  private Path file(Key key) {
    // a collision of two paths only costs a validation: the entry holds the path and content
    return dir.resolve("validated-" + Integer.toHexString(key.slot().hashCode()) + ".txt");
  }

  /** The jar this class was loaded from; empty when it was not loaded from a jar. */
  static Optional<Path> meshbootJar() {
    try {
      var source = ValidatedConfigFiles.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return Optional.empty();
      }
      Path path = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    } catch (java.net.URISyntaxException | RuntimeException e) {
      return Optional.empty();
    }
  }
}

package dev.meshboot.cli;

import dev.meshboot.bootstrap.SideFile;
import dev.meshboot.config.InputFiles;
import dev.meshboot.io.AtomicFiles;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code bin/meshboot} needs to start Envoy itself before the JVM (issue #15, "the launcher
 * starts Envoy"): written by a {@code meshboot run} once it started an Envoy of its own, read by
 * the next launch with the same arguments, working directory and environment. The launcher starts
 * Envoy from it only when everything the record was made from is unchanged: the launch key (a
 * SHA-256 of the arguments and the whole environment, computed by the launcher, which never writes
 * the environment itself anywhere) and the version (size, modification time, inode) of each file
 * named, which are meshboot's jar, the Envoy binary and every file the bootstrap was made from. The
 * JVM then checks what it would have started against what runs ({@link LaunchedEnvoy}) and replaces
 * an Envoy that differs.
 *
 * <p>The text, parsed by bash's {@code read}: a header of lines ({@code meshboot-launch 1}, {@code
 * key K}, {@code file VERSION PATH}..., {@code bootstrap VERSION PATH}, {@code unset NAME}...,
 * {@code arg WORD}..., {@code end}), then the bootstrap's text, which the launcher writes to its
 * path when the file there is no longer the one recorded. Paths, names and words never hold a
 * newline (the record is not written then). Mode 0600: the bootstrap may hold a user's credentials.
 *
 * @param key the launcher's key for the arguments and environment
 * @param files the files whose versions must be unchanged
 * @param bootstrap where the bootstrap is, and its version once written
 * @param unset the names of the variables Envoy's environment lacks
 * @param argv Envoy's whole command line, the session and parent-death wrappers first
 * @param text the bootstrap
 */
record LaunchRecord(
    String key,
    List<Version> files,
    Version bootstrap,
    List<String> unset,
    List<String> argv,
    String text) {

  private static final Log log = Log.of(LaunchRecord.class);

  static final String MAGIC = "meshboot-launch 1";

  /** The launcher's key for this launch's arguments and environment. */
  static final String KEY = "MESHBOOT_LAUNCH_KEY";

  /** Where the launcher looks for this launch's record. */
  static final String RECORD = "MESHBOOT_LAUNCH_RECORD";

  /** The pid of the Envoy the launcher started from the record. */
  static final String ADOPT = "MESHBOOT_ADOPT";

  /** Where a renderer reports the files it read and the side files it wrote. */
  static final String REPORT = "MESHBOOT_RENDER_REPORT";

  /** How many records a cache directory keeps (one per key: arguments and environment). */
  static final int KEPT = 16;

  /** A record is at most this large (a bootstrap of 1 MiB of input, pretty-printed). */
  private static final int LIMIT = 16 << 20;

  /**
   * A file and its version.
   *
   * @param version as {@code stat -L -c '%s-%.9Y-%i'} prints it
   */
  record Version(String version, Path file) {

    /** Its line in a record or report: {@code WORD VERSION PATH}. */
    String line(String word) {
      return word + " " + version + " " + file + "\n";
    }

    /** The {@code VERSION PATH} part of such a line; empty when it has no path. */
    static Optional<Version> parse(String rest) {
      int split = rest.indexOf(' ');
      return split < 0
          ? Optional.empty()
          : Optional.of(new Version(rest.substring(0, split), Path.of(rest.substring(split + 1))));
    }
  }

  /**
   * The files read that a record names: what the bootstrap was made from, not meshboot's own cache
   * files nor the bootstrap (an output), as absolute paths.
   */
  static List<Version> inputs(List<InputFiles.Read> reads) {
    List<Version> out = new ArrayList<>();
    for (InputFiles.Read read : reads) {
      if (!read.subject().equals("MESHBOOT_CACHE_DIR")
          && !read.subject().equals("MESHBOOT_BOOTSTRAP_PATH")) {
        Version version = new Version(read.version(), read.file().toAbsolutePath());
        if (!out.contains(version)) {
          out.add(version);
        }
      }
    }
    return out;
  }

  /**
   * A renderer's report: {@code file VERSION PATH} for each input it read and {@code side PATH} for
   * each side file it wrote.
   */
  static String report(List<InputFiles.Read> reads, List<SideFile> sideFiles) {
    StringBuilder out = new StringBuilder();
    inputs(reads).forEach(file -> out.append(file.line("file")));
    sideFiles.forEach(side -> out.append("side ").append(side.path()).append('\n'));
    return out.toString();
  }

  /**
   * The inputs a renderer's {@link #report} names; empty when it wrote a side file (written at each
   * start: such a start is not recorded) or a line is not one of its.
   */
  static Optional<List<Version>> reported(String report) {
    List<Version> out = new ArrayList<>();
    for (String line : report.lines().toList()) {
      Optional<Version> version =
          line.startsWith("file ") ? Version.parse(line.substring(5)) : Optional.empty();
      if (version.isEmpty()) {
        return Optional.empty();
      }
      out.add(version.get());
    }
    return Optional.of(out);
  }

  /** The record's text. */
  String format() {
    StringBuilder out = new StringBuilder(MAGIC).append('\n');
    out.append("key ").append(key).append('\n');
    files.forEach(file -> out.append(file.line("file")));
    out.append(bootstrap.line("bootstrap"));
    unset.forEach(name -> out.append("unset ").append(name).append('\n'));
    argv.forEach(word -> out.append("arg ").append(word).append('\n'));
    return out.append("end\n").append(text).toString();
  }

  /** Whether every line of the header stays one line. */
  boolean writable() {
    List<String> words = new ArrayList<>(List.of(key, bootstrap.file().toString()));
    files.forEach(file -> words.add(file.file().toString()));
    words.addAll(unset);
    words.addAll(argv);
    return words.stream().noneMatch(word -> word.indexOf('\n') >= 0 || word.indexOf('\r') >= 0);
  }

  /** Writes the record to {@code file} (replaced atomically, 0600). */
  void write(Path file) throws IOException {
    AtomicFiles.writeOutput(file, format().getBytes(StandardCharsets.UTF_8), AtomicFiles.MODE_0600);
  }

  /**
   * Removes all but the {@code kept} most recently written (or used) records in {@code dir}, and
   * what runs killed before they could clean up left beside them an hour ago or more (a check
   * render, a report).
   */
  static void keepNewest(Path dir, int kept) throws IOException {
    long hourAgo = System.currentTimeMillis() - 3_600_000L;
    try (var leftovers = Files.newDirectoryStream(dir, "*.record.*")) {
      for (Path file : leftovers) {
        if (Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis() < hourAgo) {
          Files.deleteIfExists(file);
        }
      }
    }
    List<Path> records;
    try (var listing = Files.newDirectoryStream(dir, "*.record")) {
      records = new ArrayList<>();
      listing.forEach(records::add);
    }
    if (records.size() <= kept) {
      return;
    }
    java.util.Map<Path, Long> written = new java.util.HashMap<>();
    for (Path record : records) {
      try {
        written.put(
            record, Files.getLastModifiedTime(record, LinkOption.NOFOLLOW_LINKS).toMillis());
      } catch (IOException e) {
        written.put(record, 0L); // gone, or unreadable: first to go
      }
    }
    records.sort(java.util.Comparator.comparing(written::get));
    for (Path record : records.subList(0, records.size() - kept)) {
      Files.deleteIfExists(record);
    }
  }

  /** The record at {@code file}; empty when there is none or it is not one. */
  static Optional<LaunchRecord> read(Path file) {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > LIMIT) {
        return Optional.empty();
      }
      return parse(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      log.debug("no launch record", "file", file, "error", e.toString());
      return Optional.empty();
    }
  }

  /** The record in {@code text}; empty when it is not one. */
  static Optional<LaunchRecord> parse(String text) {
    if (!text.startsWith(MAGIC + "\n")) {
      return Optional.empty();
    }
    String key = null;
    Version bootstrap = null;
    List<Version> files = new ArrayList<>();
    List<String> unset = new ArrayList<>();
    List<String> argv = new ArrayList<>();
    int at = MAGIC.length() + 1;
    while (true) {
      int end = text.indexOf('\n', at);
      if (end < 0) {
        return Optional.empty();
      }
      String line = text.substring(at, end);
      at = end + 1;
      if (line.equals("end")) {
        break;
      }
      int space = line.indexOf(' ');
      String word = space < 0 ? line : line.substring(0, space);
      String rest = space < 0 ? "" : line.substring(space + 1);
      switch (word) {
        case "key" -> key = rest;
        case "file", "bootstrap" -> {
          Optional<Version> version = Version.parse(rest);
          if (version.isEmpty()) {
            return Optional.empty();
          } else if (word.equals("file")) {
            files.add(version.get());
          } else {
            bootstrap = version.get();
          }
        }
        case "unset" -> unset.add(rest);
        case "arg" -> argv.add(rest);
        default -> {
          return Optional.empty();
        }
      }
    }
    if (key == null || bootstrap == null || argv.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new LaunchRecord(
            key,
            List.copyOf(files),
            bootstrap,
            List.copyOf(unset),
            List.copyOf(argv),
            text.substring(at)));
  }
}

package dev.meshboot.mesh.load;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.InputFiles;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The files of a definition, read as every input meshboot takes ({@link InputFiles}: regular files
 * only, bounded, UTF-8), within bounds on the whole: a directory is walked recursively for {@code
 * .json}, {@code .yaml} and {@code .yml} files; hidden files and directories are skipped (a
 * Kubernetes ConfigMap volume keeps its data in {@code ..data}, and links to it, which are
 * followed); a symbolic link to a directory is an error rather than followed (a loop, or the same
 * files twice).
 */
final class DefinitionFiles {

  /** What names the files in errors. */
  static final String SUBJECT = "mesh definition";

  /** A 1,000-node mesh kept one resource per file has about 3,200 files. */
  static final int MAX_FILES = 10_000;

  /** Directory entries looked at (skipped ones too): a walk ends in bounded time. */
  static final int MAX_ENTRIES = 100_000;

  /** One file: a whole 1,000-node mesh as one YAML stream is about 1 MiB. */
  static final int FILE_LIMIT = 8 << 20;

  /** All files together: several times a 1,000-node mesh, within the control plane's memory. */
  static final long TOTAL_LIMIT = 32L << 20;

  /** A file's text. */
  record Text(Path file, String text) {}

  private DefinitionFiles() {}

  /** Reads the definition's files, sorted by path; each problem is added to {@code errors}. */
  static List<Text> read(Path dirOrFile, List<String> errors) {
    List<Path> files = list(dirOrFile, errors);
    if (!errors.isEmpty()) {
      return List.of();
    }
    long total = 0;
    for (Path file : files) {
      try {
        total += InputFiles.attributes(file, SUBJECT).size();
      } catch (ConfigException e) {
        // InputFiles.read names the problem below, with the others.
      }
    }
    if (total > TOTAL_LIMIT) {
      errors.add(tooLarge(dirOrFile, total));
      return List.of();
    }
    List<Text> texts = new ArrayList<>();
    long read = 0;
    for (Path file : files) {
      try {
        String text = InputFiles.read(file, SUBJECT, FILE_LIMIT);
        read += text.length();
        if (read > TOTAL_LIMIT) {
          errors.add(tooLarge(dirOrFile, read)); // the files grew while they were read
          return List.of();
        }
        texts.add(new Text(file, text));
      } catch (ConfigException e) {
        errors.add(String.valueOf(e.getMessage()));
      }
    }
    return texts;
  }

  private static String tooLarge(Path dirOrFile, long bytes) {
    return SUBJECT
        + ": the files of "
        + dirOrFile
        + " hold "
        + (bytes >> 20)
        + " MiB, more than meshboot reads ("
        + (TOTAL_LIMIT >> 20)
        + " MiB in all)";
  }

  private static List<Path> list(Path dirOrFile, List<String> errors) {
    BasicFileAttributes attributes;
    try {
      attributes = InputFiles.attributes(dirOrFile, SUBJECT);
    } catch (ConfigException e) {
      errors.add(String.valueOf(e.getMessage()));
      return List.of();
    }
    if (!attributes.isDirectory()) {
      if (!definitionFile(dirOrFile)) {
        errors.add(SUBJECT + ": " + dirOrFile + " is not a .json, .yaml or .yml file");
      }
      return List.of(dirOrFile);
    }
    Walk walk = new Walk(dirOrFile, errors);
    try {
      // The walk runs on the real path (the directory named may itself be a link) and reports
      // paths under the name given.
      Files.walkFileTree(walk.real, Set.of(), Integer.MAX_VALUE, walk);
    } catch (IOException e) {
      errors.add(SUBJECT + ": " + dirOrFile + " cannot be read: " + e.getMessage());
    }
    if (errors.isEmpty() && walk.files.isEmpty()) {
      errors.add(
          SUBJECT
              + ": "
              + dirOrFile
              + " holds no .json, .yaml or .yml file (hidden files and directories are skipped)");
    }
    walk.files.sort(null);
    return walk.files;
  }

  static boolean definitionFile(Path file) {
    String name = String.valueOf(file.getFileName());
    return name.endsWith(".json") || name.endsWith(".yaml") || name.endsWith(".yml");
  }

  private static boolean hidden(Path file) {
    return String.valueOf(file.getFileName()).startsWith(".");
  }

  private static final class Walk extends SimpleFileVisitor<Path> {
    final Path named;
    final Path real;
    final List<String> errors;
    final List<Path> files = new ArrayList<>();
    int entries;

    Walk(Path named, List<String> errors) {
      this.named = named;
      this.real = realPath(named);
      this.errors = errors;
    }

    private static Path realPath(Path named) {
      try {
        return named.toRealPath();
      } catch (IOException e) {
        return named;
      }
    }

    private Path shown(Path path) {
      return named.resolve(real.relativize(path));
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
      if (dir.equals(real)) {
        return FileVisitResult.CONTINUE;
      }
      return counted() && !hidden(dir) ? FileVisitResult.CONTINUE : skipOrEnd();
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
      if (!counted()) {
        return FileVisitResult.TERMINATE;
      }
      if (hidden(file)) {
        return FileVisitResult.CONTINUE;
      }
      if (attributes.isSymbolicLink() && Files.isDirectory(file)) {
        errors.add(
            SUBJECT
                + ": "
                + shown(file)
                + " is a symbolic link to a directory, which meshboot does not follow (it may"
                + " loop or read files twice); name that directory, or link its files");
        return FileVisitResult.CONTINUE;
      }
      if (definitionFile(file)) {
        if (files.size() == MAX_FILES) {
          errors.add(
              SUBJECT
                  + ": "
                  + named
                  + " has more than "
                  + MAX_FILES
                  + " .json, .yaml and .yml files, more than meshboot reads (a 1,000-node mesh"
                  + " kept one resource per file has about 3,200)");
          return FileVisitResult.TERMINATE;
        }
        files.add(shown(file));
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFileFailed(Path file, IOException e) {
      errors.add(SUBJECT + ": " + shown(file) + " cannot be read: " + e.getMessage());
      return FileVisitResult.CONTINUE;
    }

    private boolean counted() {
      if (++entries > MAX_ENTRIES) {
        if (entries == MAX_ENTRIES + 1) {
          errors.add(
              SUBJECT
                  + ": "
                  + named
                  + " has more than "
                  + MAX_ENTRIES
                  + " files and directories, more than meshboot looks at");
        }
        return false;
      }
      return true;
    }

    private FileVisitResult skipOrEnd() {
      return entries > MAX_ENTRIES ? FileVisitResult.TERMINATE : FileVisitResult.SKIP_SUBTREE;
    }
  }
}

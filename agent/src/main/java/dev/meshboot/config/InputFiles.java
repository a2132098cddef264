package dev.meshboot.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads the files variables and options name, defensively: a file may be a FIFO that never ends, a
 * device such as {@code /dev/zero}, huge, binary or hostile. Only regular files are read, their
 * size is checked before reading and the read stops at the limit, and the text must be UTF-8;
 * anything else is a {@link ConfigException} naming the subject (the variable or option), the file
 * and why.
 */
public final class InputFiles {

  /** Bootstrap fragments, whole bootstraps, env files and manifests: generous for a bootstrap. */
  public static final int CONFIG_LIMIT = 1 << 20;

  /** Tokens and secrets in files (a web identity token, an authorization header): a few KB. */
  public static final int TOKEN_LIMIT = 64 << 10;

  /**
   * A file this process read, as it was when read: its path as named, what named it, and its
   * version ({@link dev.meshboot.io.FileIdentity#statForm(BasicFileAttributes)}).
   */
  public record Read(Path file, String subject, String version) {}

  /**
   * The most reads remembered: a start reads a handful; a run that reads again (token refreshes)
   * stops remembering, and its reads are then unknown.
   */
  private static final int MAX_READS = 256;

  /** Whether reads are remembered: only from {@link #remember()} on. */
  private static volatile boolean remembering;

  /**
   * Every file read since {@link #remember()} (a launch record names them: {@code
   * cli.LaunchRecord}).
   */
  private static final java.util.Queue<Read> READS =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  private static final java.util.concurrent.atomic.AtomicInteger READ_COUNT =
      new java.util.concurrent.atomic.AtomicInteger();

  private InputFiles() {}

  /**
   * Remembers the files read from now on (and forgets earlier ones): a command whose reads a launch
   * record names ({@code run}, the renderer it starts) calls it first; nothing else remembers
   * anything.
   */
  public static void remember() {
    READS.clear();
    READ_COUNT.set(0);
    remembering = true;
  }

  /**
   * The files read since {@link #remember()}, in order; empty when there were too many to remember,
   * or nothing asked to remember them.
   */
  public static java.util.Optional<java.util.List<Read>> reads() {
    return !remembering || READ_COUNT.get() > MAX_READS
        ? java.util.Optional.empty()
        : java.util.Optional.of(java.util.List.copyOf(READS));
  }

  /**
   * The text of {@code file}.
   *
   * @param subject what names the file, leading the error: a variable, an option
   * @param limit the most bytes read
   * @throws ConfigException when it is not a readable regular file of UTF-8 text within the limit
   */
  public static String read(Path file, String subject, int limit) {
    BasicFileAttributes attributes = attributes(file, subject);
    if (!attributes.isRegularFile()) {
      throw failure(
          subject,
          file,
          attributes.isDirectory()
              ? "is a directory, not a file"
              : "is not a regular file (a FIFO, socket or device); name a file");
    }
    if (attributes.size() > limit) {
      throw tooLarge(subject, file, limit);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(limit + 1);
    } catch (AccessDeniedException e) {
      throw failure(subject, file, "cannot be read (permission denied)");
    } catch (IOException e) {
      throw failure(subject, file, "cannot be read: " + e.getMessage());
    }
    if (bytes.length > limit) {
      throw tooLarge(subject, file, limit); // it grew while it was read
    }
    // the version before the read: a file changed meanwhile is another version next time
    if (remembering && READ_COUNT.get() <= MAX_READS && READ_COUNT.incrementAndGet() <= MAX_READS) {
      READS.add(new Read(file, subject, dev.meshboot.io.FileIdentity.statForm(attributes)));
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw failure(subject, file, "is not UTF-8 text (a binary file?)");
    }
  }

  /**
   * What is at {@code file}, following links, or why nothing usable is.
   *
   * @throws ConfigException when it does not exist, is a loop of links or cannot be looked at
   */
  public static BasicFileAttributes attributes(Path file, String subject) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw failure(subject, file, "does not exist");
    } catch (FileSystemLoopException e) {
      throw failure(subject, file, "is a loop of symbolic links");
    } catch (AccessDeniedException e) {
      throw failure(subject, file, "cannot be looked at (permission denied on a directory)");
    } catch (IOException e) {
      String message = String.valueOf(e.getMessage());
      throw failure(
          subject,
          file,
          message.contains("Too many levels of symbolic links")
              ? "is a loop of symbolic links"
              : "cannot be looked at: " + message);
    }
  }

  private static ConfigException tooLarge(String subject, Path file, int limit) {
    return failure(
        subject, file, "is larger than meshboot reads for it (" + (limit >> 10) + " KiB)");
  }

  private static ConfigException failure(String subject, Path file, String why) {
    return new ConfigException(subject, subject + ": " + file + " " + why);
  }
}

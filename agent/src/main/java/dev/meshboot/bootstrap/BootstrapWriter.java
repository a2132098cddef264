package dev.meshboot.bootstrap;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/** Serializes a bootstrap as JSON or YAML and writes files atomically, mode 0640. */
public final class BootstrapWriter {

  /** Output formats. */
  public enum Format {
    JSON,
    YAML;

    /** {@code json} or {@code yaml}/{@code yml}; null for anything else. */
    public static @org.jspecify.annotations.Nullable Format parse(String text) {
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "json" -> JSON;
        case "yaml", "yml" -> YAML;
        default -> null;
      };
    }

    /** The format a file name implies: YAML for .yaml/.yml, else JSON. */
    public static Format forFile(Path file) {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      return name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON;
    }
  }

  private static final Set<PosixFilePermission> MODE_0640 =
      PosixFilePermissions.fromString("rw-r-----");

  private BootstrapWriter() {}

  /** The bootstrap as text, field names as in the proto files, map keys sorted. */
  public static String text(Message bootstrap, EnvoySchema schema, Format format) {
    String json;
    try {
      json =
          JsonFormat.printer()
              .usingTypeRegistry(schema.typeRegistry())
              .preservingProtoFieldNames()
              .sortingMapKeys()
              .print(bootstrap);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print the bootstrap", e);
    }
    if (format == Format.JSON) {
      return json + "\n";
    }
    Object tree = new Load(LoadSettings.builder().build()).loadFromString(json);
    return new Dump(
            DumpSettings.builder()
                .setDefaultFlowStyle(FlowStyle.BLOCK)
                .setIndent(2)
                .setIndicatorIndent(0)
                .build())
        .dumpToString(tree);
  }

  /**
   * Writes {@code text} to {@code file} through a temporary file in the same directory and an
   * atomic rename: readers see the old file or the new one, never a part; on failure the old file
   * is untouched.
   */
  public static void writeAtomically(Path file, String text) throws IOException {
    Path absolute = file.toAbsolutePath();
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Path temp = create(absolute);
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
      Files.setPosixFilePermissions(temp, MODE_0640);
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
   * Creates an empty temporary file beside {@code target}, mode 0640 from the start. Not {@code
   * Files.createTempFile}: its random names initialize SecureRandom, ~20 ms of start-up; a clash of
   * these names fails on CREATE_NEW and is retried, never clobbering another writer's file.
   */
  private static Path create(Path target) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path candidate =
          target.resolveSibling("." + target.getFileName() + "." + System.nanoTime() + ".tmp");
      try {
        Files.newByteChannel(
                candidate,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(MODE_0640))
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

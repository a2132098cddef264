package dev.meshboot.bootstrap;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
    // Not Files.createTempFile: its random names initialize SecureRandom, ~20 ms of start-up.
    Path temp =
        absolute.resolveSibling(
            "."
                + absolute.getFileName()
                + "."
                + ProcessHandle.current().pid()
                + "."
                + System.nanoTime()
                + ".tmp");
    try {
      Files.writeString(
          temp,
          text,
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE_NEW,
          java.nio.file.StandardOpenOption.WRITE);
      Files.setPosixFilePermissions(temp, MODE_0640);
      try (var channel =
          java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        Files.move(
            temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}

package dev.meshboot.bootstrap;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.meshboot.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
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
    return format == Format.JSON ? json + "\n" : yaml(json);
  }

  /** JSON text as block-style YAML (the same tree; keys in the JSON's order). */
  public static String yaml(String json) {
    // our own text: no limit below its length (the default, 3 MiB, is for untrusted input)
    Object tree =
        new Load(LoadSettings.builder().setCodePointLimit(Math.max(json.length(), 1)).build())
            .loadFromString(json);
    return new Dump(
            DumpSettings.builder()
                .setDefaultFlowStyle(FlowStyle.BLOCK)
                .setIndent(2)
                .setIndicatorIndent(0)
                .build())
        .dumpToString(tree);
  }

  /**
   * Writes {@code text} to {@code file}, mode 0640: a file (or a symbolic link's target) is
   * replaced atomically, readers see the old one or the new one, never a part, and on failure the
   * old one is untouched; a device or a pipe is written through ({@link AtomicFiles#writeOutput}).
   */
  public static void writeAtomically(Path file, String text) throws IOException {
    AtomicFiles.writeOutput(file, text.getBytes(StandardCharsets.UTF_8), AtomicFiles.MODE_0640);
  }
}

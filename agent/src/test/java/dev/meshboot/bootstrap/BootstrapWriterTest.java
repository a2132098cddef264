package dev.meshboot.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapWriterTest {

  @Test
  void writesAtomicallyWithMode0640AndReplacesTheOldFile(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("envoy.json"), "old");
    BootstrapWriter.writeAtomically(file, "new");
    assertThat(file).hasContent("new");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r-----");
    try (var files = Files.list(tmp)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void leavesTheOldFileAndNoTemporaryFileWhenTheRenameFails(@TempDir Path tmp) throws IOException {
    Path target = Files.createDirectories(tmp.resolve("envoy.json"));
    Files.writeString(target.resolve("keep"), "x");
    assertThatThrownBy(() -> BootstrapWriter.writeAtomically(target, "new"))
        .isInstanceOf(IOException.class);
    assertThat(target.resolve("keep")).hasContent("x");
    try (var files = Files.list(tmp)) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void yamlAndJsonDescribeTheSameBootstrap() throws IOException {
    EnvoySchema core = EnvoySchema.load(EnvoySchema.Scope.CORE);
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(core.bootstrap());
    JsonFormat.parser()
        .usingTypeRegistry(core.typeRegistry())
        .merge(
            "{\"node\": {\"id\": \"a\", \"metadata\": {\"k\": [1, \"x\"]}}, \"stats_flush_interval\": \"1.500s\"}",
            builder);
    String yaml = BootstrapWriter.text(builder.build(), core, BootstrapWriter.Format.YAML);
    assertThat(yaml).contains("stats_flush_interval: 1.500s");
    String json = YamlTrees.parse(yaml, "yaml").toString();
    DynamicMessage.Builder again = DynamicMessage.newBuilder(core.bootstrap());
    JsonFormat.parser().usingTypeRegistry(core.typeRegistry()).merge(json, again);
    assertThat(again.build()).isEqualTo(builder.build());
  }
}

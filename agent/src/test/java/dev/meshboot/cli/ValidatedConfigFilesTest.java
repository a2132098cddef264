package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidatedConfigFilesTest {

  @TempDir Path dir;

  private static ValidatedConfigFiles.Key key(String content) {
    return new ValidatedConfigFiles.Key(
        "/etc/envoy.yaml JSON", "file=/etc/envoy.yaml JSON meshboot=m envoy=e\n" + content);
  }

  @Test
  void rememberedOutputIsFoundForTheSameKeyOnly() throws Exception {
    ValidatedConfigFiles files = new ValidatedConfigFiles(dir);
    files.put(key("admin: {}\n"), "{\"admin\": {}}\n");
    assertThat(files.get(key("admin: {}\n"))).contains("{\"admin\": {}}\n");
    // one character more, or a prefix of the content, is another file
    assertThat(files.get(key("admin: {}\n "))).isEmpty();
    assertThat(files.get(key("admin: {}"))).isEmpty();
    assertThat(
            files.get(
                new ValidatedConfigFiles.Key(
                    "/etc/envoy.yaml JSON",
                    "file=/etc/envoy.yaml JSON meshboot=m envoy=other\nadmin: {}\n")))
        .isEmpty();
  }

  @Test
  void anEditReplacesTheEntryOfItsFileAndTheEntryIsTheOwnersAlone() throws Exception {
    ValidatedConfigFiles files = new ValidatedConfigFiles(dir.resolve("made"));
    files.put(key("a"), "A");
    files.put(key("b"), "B");
    assertThat(files.get(key("a"))).isEmpty();
    assertThat(files.get(key("b"))).contains("B");
    try (var entries = Files.list(dir.resolve("made"))) {
      Path entry = entries.toList().getFirst();
      assertThat(entry.getFileName().toString()).startsWith("validated-");
      assertThat(Files.getPosixFilePermissions(entry))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
  }

  @Test
  void whatIsNotARegularFileIsNoEntryAndAnUnwritableCacheIsNoError() throws Exception {
    ValidatedConfigFiles files = new ValidatedConfigFiles(dir);
    files.put(key("a"), "A");
    Path entry;
    try (var entries = Files.list(dir)) {
      entry = entries.toList().getFirst();
    }
    Path target = dir.resolve("elsewhere");
    Files.move(entry, target);
    Files.createSymbolicLink(entry, target);
    assertThat(files.get(key("a"))).isEmpty();

    Path blocked = dir.resolve("a-file");
    Files.writeString(blocked, "");
    ValidatedConfigFiles unusable = new ValidatedConfigFiles(blocked.resolve("cache"));
    unusable.put(key("a"), "A");
    assertThat(unusable.get(key("a"))).isEmpty();
  }
}

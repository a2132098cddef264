package dev.meshboot.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A launch record's file versions are compared by bin/meshboot with coreutils' stat. */
class FileIdentityTest {

  @Test
  void statFormIsWhatCoreutilsStatPrints(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("a file"), "content");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), file);
    for (Instant mtime :
        new Instant[] {
          Instant.ofEpochSecond(1_700_000_000L, 7), Instant.ofEpochSecond(1_700_000_001L, 0)
        }) {
      Files.setLastModifiedTime(file, FileTime.from(mtime));
      assertThat(FileIdentity.statForm(file)).contains(stat(file));
      assertThat(FileIdentity.statForm(link)).as("links followed").contains(stat(file));
    }
    assertThat(FileIdentity.statForm(tmp.resolve("missing"))).isEmpty();
  }

  private static String stat(Path file) throws Exception {
    Process stat =
        new ProcessBuilder("stat", "-L", "-c", "%s-%.9Y-%i", "--", file.toString()).start();
    String out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(stat.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return out;
  }
}

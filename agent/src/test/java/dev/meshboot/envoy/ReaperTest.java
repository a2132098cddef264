package dev.meshboot.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.testing.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Orphans reparented to this JVM (a child subreaper) are reaped; the JVM's own children are not.
 */
class ReaperTest {

  /** Zombie processes whose parent is this JVM. */
  private static List<Long> zombieChildren() throws IOException {
    long self = ProcessHandle.current().pid();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      return entries
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(
              p -> {
                try {
                  String[] fields =
                      Files.readString(p.resolve("stat"))
                          .substring(Files.readString(p.resolve("stat")).lastIndexOf(')') + 2)
                          .split(" ", -1);
                  return fields[0].equals("Z") && Long.parseLong(fields[1]) == self;
                } catch (IOException | RuntimeException e) {
                  return false;
                }
              })
          .map(p -> Long.parseLong(p.getFileName().toString()))
          .toList();
    }
  }

  @Test
  void reapsOrphansButLeavesTheJvmsOwnChildrenToIt() throws Exception {
    Posix posix = Posix.load().orElseThrow();
    Children children = new Children();
    Reaper reaper = Reaper.start(posix, children);
    try {
      // The shell exits at once; its background sleep is orphaned to this JVM and exits later.
      Process parent = children.launch(new ProcessBuilder("sh", "-c", "(sleep 0.3 &) ; exit 7"));
      assertThat(parent.waitFor())
          .as("the JVM still gets its own child's exit status")
          .isEqualTo(7);
      Thread.sleep(500);
      Wait.until("no zombie children", Duration.ofSeconds(5), () -> zombieChildren().isEmpty());
    } finally {
      reaper.close();
    }
  }
}

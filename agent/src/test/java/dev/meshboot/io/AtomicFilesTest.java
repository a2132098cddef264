package dev.meshboot.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing an output the user named does what is right for what is at the path. */
class AtomicFilesTest {

  private static final byte[] TEXT = "new\n".getBytes(StandardCharsets.UTF_8);

  private static void write(Path file) throws IOException {
    AtomicFiles.writeOutput(file, TEXT, AtomicFiles.MODE_0640, Duration.ofMillis(500));
  }

  private static Object inode(Path file) throws IOException {
    return Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void replacesARegularFileAtomicallyAndCreatesAMissingOne(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("envoy.json"), "old");
    Object before = inode(file);
    write(file);
    assertThat(file).hasContent("new");
    assertThat(inode(file)).as("a new file renamed over the old one").isNotEqualTo(before);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
    write(tmp.resolve("missing.json"));
    assertThat(tmp.resolve("missing.json")).hasContent("new");
  }

  @Test
  void followsASymbolicLinkAndReplacesItsTarget(@TempDir Path tmp) throws IOException {
    Files.createDirectory(tmp.resolve("real"));
    Path target = Files.writeString(tmp.resolve("real/envoy.json"), "old");
    Path link = Files.createSymbolicLink(tmp.resolve("envoy.json"), Path.of("real/envoy.json"));
    write(link);
    assertThat(Files.isSymbolicLink(link)).as("the link stays a link").isTrue();
    assertThat(target).hasContent("new");
    Path dangling = Files.createSymbolicLink(tmp.resolve("later.json"), Path.of("real/later.json"));
    write(dangling);
    assertThat(Files.isSymbolicLink(dangling)).isTrue();
    assertThat(tmp.resolve("real/later.json")).hasContent("new");
  }

  @Test
  void writesThroughDevicesAndPipes(@TempDir Path tmp) throws Exception {
    write(Path.of("/dev/null"));
    assertThat(Files.isRegularFile(Path.of("/dev/null"))).isFalse();
    Path linkToNull = Files.createSymbolicLink(tmp.resolve("stdout"), Path.of("/dev/null"));
    write(linkToNull);
    assertThat(Files.isSymbolicLink(linkToNull)).isTrue();

    Path fifo = tmp.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    CompletableFuture<String> read =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return Files.readString(fifo);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    write(fifo);
    assertThat(read.get()).isEqualTo("new\n");
    assertThat(Files.isRegularFile(fifo)).as("still a FIFO").isFalse();
  }

  @Test
  void aPipeNobodyReadsOrAFullDeviceFailsInBoundedTime(@TempDir Path tmp) throws Exception {
    Path fifo = tmp.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    long start = System.nanoTime();
    assertThatThrownBy(() -> write(fifo)).hasMessageContaining("nothing read it");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    Path full = Files.createSymbolicLink(tmp.resolve("full"), Path.of("/dev/full"));
    assertThatThrownBy(() -> write(full)).isInstanceOf(IOException.class);
    assertThat(Files.isSymbolicLink(full)).as("the link is not replaced").isTrue();
  }

  @Test
  void refusesDirectoriesAndSockets(@TempDir Path tmp) throws IOException {
    assertThatThrownBy(() -> write(tmp))
        .hasMessageContaining(tmp.toString())
        .hasMessageContaining("is a directory");
    Path socket = tmp.resolve("api.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      assertThatThrownBy(() -> write(socket))
          .hasMessageContaining(socket.toString())
          .hasMessageContaining("neither a file nor a device");
    }
  }
}

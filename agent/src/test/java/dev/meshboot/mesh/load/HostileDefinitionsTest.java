package dev.meshboot.mesh.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Definitions that are hostile or broken as files: each is refused within bounded time and memory
 * with an error naming the file and why, and the rest of the directory is still judged.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileDefinitionsTest {

  @TempDir Path dir;

  private static final String MB = "mesh definition: ";

  private java.util.List<String> errors() {
    return Definitions.errors(dir, dir);
  }

  /**
   * A small file with an error per item of a long list (backends has no size limit in the model):
   * the errors kept are bounded, the rest counted, so neither memory nor the output grows with it.
   */
  @Test
  void aListOfManyWrongItemsKeepsABoundedNumberOfErrors() {
    Definitions.write(dir, Map.of());
    StringBuilder backends = new StringBuilder("[1");
    backends.append(",1".repeat(299_999)).append(']');
    Definitions.writeOnly(
        dir,
        Map.of(
            "many.json",
            "{\"meshName\": \"appmesh-workshop\", \"virtualNodeName\": \"many\", \"spec\":"
                + " {\"backends\": "
                + backends
                + "}}"));
    java.util.List<String> errors = errors();
    assertThat(errors).hasSize(Problems.KEPT + 1);
    assertThat(errors.get(0)).contains("$.spec.backends[0]: expected an object but got");
    assertThat(errors.get(errors.size() - 1))
        .matches("\\.\\.\\. and 2990\\d\\d more errors \\(the first 1000 are shown\\)");
  }

  @Test
  void aFifoWithoutAWriter() throws Exception {
    Definitions.write(dir, Map.of());
    Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("x.json").toString()).start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(errors())
        .containsExactly(
            MB + "x.json is not a regular file (a FIFO, socket or device); name a file");
  }

  @Test
  void aDevice() throws IOException {
    Definitions.write(dir, Map.of());
    Files.createSymbolicLink(dir.resolve("zero.yaml"), Path.of("/dev/zero"));
    assertThat(errors())
        .containsExactly(
            MB + "zero.yaml is not a regular file (a FIFO, socket or device); name a file");
  }

  @Test
  void aFileTooLarge() throws IOException {
    Definitions.write(dir, Map.of());
    try (RandomAccessFile file = new RandomAccessFile(dir.resolve("big.json").toFile(), "rw")) {
      file.setLength(DefinitionFiles.FILE_LIMIT + 1L);
    }
    assertThat(errors())
        .containsExactly(MB + "big.json is larger than meshboot reads for it (8192 KiB)");
  }

  @Test
  void filesTooLargeTogether() throws IOException {
    Definitions.write(dir, Map.of());
    for (int i = 0; i < 5; i++) {
      try (RandomAccessFile file =
          new RandomAccessFile(dir.resolve("big" + i + ".json").toFile(), "rw")) {
        file.setLength(7L << 20);
      }
    }
    assertThat(errors())
        .containsExactly(
            MB + "the files of " + dir + " hold 35 MiB, more than meshboot reads (32 MiB in all)");
  }

  @Test
  void tooManyFiles() throws IOException {
    for (int i = 0; i <= DefinitionFiles.MAX_FILES; i++) {
      Files.createFile(dir.resolve(i + ".yaml"));
    }
    assertThat(errors())
        .containsExactly(
            MB
                + dir
                + " has more than 10000 .json, .yaml and .yml files, more than meshboot reads"
                + " (a 1,000-node mesh kept one resource per file has about 3,200)");
  }

  @Test
  void deepYaml() {
    Definitions.write(dir, Map.of("x.yaml", "a: " + "[".repeat(1000) + "]".repeat(1000)));
    assertThat(errors())
        .containsExactly("x.yaml: nested deeper than 100 levels, more than meshboot reads");
  }

  @Test
  void deepJson() {
    Definitions.write(dir, Map.of("x.json", "[".repeat(100_000) + "]".repeat(100_000)));
    assertThat(errors())
        .containsExactly(
            "x.json: not valid JSON: nested deeper than 100 levels at line 1 column 102");
  }

  @Test
  void aYamlAliasBomb() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 12; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [");
      yaml.append(String.join(", ", Collections.nCopies(9, "*a" + (i - 1)))).append("]\n");
    }
    Definitions.write(dir, Map.of("bomb.yaml", yaml.toString()));
    assertThat(errors())
        .singleElement()
        .asString()
        .startsWith("bomb.yaml: not valid YAML or JSON: Number of aliases for non-scalar nodes");
  }

  @Test
  void hugeNumbers() {
    String digits = "1".repeat(1_000_000);
    Definitions.write(
        dir,
        Map.of(
            "x.json", "{\"meshName\": \"n\", \"tags\": " + digits + "}",
            "y.json", "{\"meshName\": \"n\", \"tags\": " + "2".repeat(200) + "}",
            "z.yaml", "meshName: n\ntags: " + digits + "\n"));
    // Gson reads a number longer than its buffer as unquoted text; a shorter one that still is no
    // App Mesh number is refused before BigInteger parses it (quadratic), as YAML's are.
    assertThat(errors())
        .containsExactly(
            "x.json: not valid JSON: not strict JSON (comments, single quotes, unquoted text, NaN or"
                + " trailing data) at line 1 column 27 path $.tags",
            "y.json: not valid JSON: a number of more than 100 characters at line 1 column 227 path"
                + " $.tags",
            "z.yaml: a number of more than 100 characters; quote it if it is text");
  }

  @Test
  void duplicateKeys() {
    Definitions.write(
        dir,
        Map.of(
            "x.json", "{\"meshName\": \"n\", \"meshName\": \"o\"}",
            "y.yaml", "meshName: n\nmeshName: o\n"));
    assertThat(errors())
        .hasSize(2)
        .satisfiesExactly(
            json ->
                assertThat(json)
                    .isEqualTo(
                        "x.json: not valid JSON: duplicate key \"meshName\" at line 1 column 29"
                            + " path $.meshName"),
            yaml ->
                assertThat(yaml)
                    .startsWith("y.yaml: not valid YAML or JSON: ")
                    .contains("meshName"));
  }

  @Test
  void jsonThatIsOnlyJavaScript() {
    Definitions.write(
        dir,
        Map.of(
            "j1.json", "{\"meshName\": \"n\", /* a comment */ \"spec\": {}}",
            "j2.json", "{'meshName': 'n'}",
            "j3.json", "{\"meshName\": \"n\"} {\"meshName\": \"o\"}",
            "j4.json", "{\"meshName\": \"n\",}"));
    assertThat(errors())
        .hasSize(4)
        .allSatisfy(
            e ->
                assertThat(e).matches("j[1-4]\\.json: not valid JSON: .* at line 1 column \\d+.*"));
  }

  @Test
  void textThatIsNotUtf8() throws IOException {
    Definitions.write(dir, Map.of());
    Files.write(dir.resolve("x.json"), new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
    assertThat(errors()).containsExactly(MB + "x.json is not UTF-8 text (a binary file?)");
  }

  @Test
  void aLinkToADirectory() throws IOException {
    Definitions.write(dir, Map.of());
    Path elsewhere = Files.createTempDirectory("elsewhere");
    Files.createSymbolicLink(dir.resolve("linked"), elsewhere);
    assertThat(errors())
        .containsExactly(
            MB
                + "linked is a symbolic link to a directory, which meshboot does not follow (it may"
                + " loop or read files twice); name that directory, or link its files");
    Files.delete(elsewhere);
  }

  @Test
  void aLoopOfLinks() throws IOException {
    Definitions.write(dir, Map.of());
    Files.createSymbolicLink(dir.resolve("x.json"), dir.resolve("y.json"));
    Files.createSymbolicLink(dir.resolve("y.json"), dir.resolve("x.json"));
    assertThat(errors())
        .containsExactly(
            MB + "x.json is a loop of symbolic links", MB + "y.json is a loop of symbolic links");
  }

  @Test
  void nothingToRead() throws IOException {
    Files.writeString(dir.resolve("README.md"), "no resources here");
    assertThat(errors())
        .containsExactly(
            MB
                + dir
                + " holds no .json, .yaml or .yml file (hidden files and directories are"
                + " skipped)");
    Files.writeString(dir.resolve("empty.yaml"), "# nothing yet\n---\n");
    assertThat(errors()).containsExactly(MB + dir + " defines no App Mesh resource");
    assertThat(Definitions.errors(dir, dir.resolve("README.md")))
        .containsExactly(MB + "README.md is not a .json, .yaml or .yml file");
    assertThat(Definitions.errors(dir, dir.resolve("missing")))
        .containsExactly(MB + "missing does not exist");
  }

  @Test
  void brokenFilesDoNotHideTheOthersErrors() {
    Definitions.write(
        dir,
        Map.of(
            "x.json",
            "{",
            "a.json",
            Definitions.node("a", Definitions.A_SPEC.replace("8080", "0"))));
    assertThat(errors())
        .containsExactly(
            "x.json: not valid JSON: End of input at line 1 column 2 path $.",
            "a.json: virtualNode a in mesh m: $.spec.listeners[0].portMapping.port: expected 1 to"
                + " 65535 but got 0");
  }
}

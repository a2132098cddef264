package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launch record's text is read by bin/meshboot's bash, so the shape is checked here by bash's
 * own {@code read}, not only by the Java parser.
 */
class LaunchRecordTest {

  private static final LaunchRecord RECORD =
      new LaunchRecord(
          "0123abcd",
          List.of(
              new LaunchRecord.Version("10-1700000000.000000001-42", Path.of("/opt/a b/jar")),
              new LaunchRecord.Version("11-1700000000.5-43", Path.of("/usr/bin/envoy"))),
          new LaunchRecord.Version("12-1.000000000-44", Path.of("/tmp/envoy.json")),
          List.of("AWS_SECRET_ACCESS_KEY", "MESHBOOT_RENDER_COMMAND"),
          List.of("/usr/bin/setsid", "--", "/usr/bin/envoy", "-c", "/tmp/envoy.json", ""),
          "{\n  \"admin\": {}\n}\nno newline at the end");

  @Test
  void readsBackWhatItWrites(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("launch-x.record");
    RECORD.write(file);
    assertThat(LaunchRecord.read(file)).contains(RECORD);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }

  /**
   * bash's {@code read -r} line by line from one descriptor, then {@code cat} of the rest of it for
   * the bootstrap, as bin/meshboot reads a record.
   */
  @Test
  void bashReadsTheHeaderAndTailTheBootstrap(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("launch-x.record");
    RECORD.write(file);
    String script =
        """
        exec {fd}<"$1"
        while IFS= read -r line <&"$fd"; do
          case "$line" in
            "arg "*) printf 'arg<%s>\\n' "${line#arg }" ;;
            "file "*) line=${line#file }; printf 'file<%s><%s>\\n' "${line%% *}" "${line#* }" ;;
            end) break ;;
          esac
        done
        cat <&"$fd" >"$1.bootstrap"
        """;
    Process bash = new ProcessBuilder("bash", "-c", script, "bash", file.toString()).start();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(out)
        .isEqualTo(
            """
            file<10-1700000000.000000001-42></opt/a b/jar>
            file<11-1700000000.5-43></usr/bin/envoy>
            arg</usr/bin/setsid>
            arg<-->
            arg</usr/bin/envoy>
            arg<-c>
            arg</tmp/envoy.json>
            arg<>
            """);
    assertThat(Files.readString(tmp.resolve("launch-x.record.bootstrap"))).isEqualTo(RECORD.text());
  }

  @Test
  void aHeaderThatWouldSpanLinesIsNotWritable() {
    assertThat(RECORD.writable()).isTrue();
    LaunchRecord split =
        new LaunchRecord(
            RECORD.key(),
            RECORD.files(),
            RECORD.bootstrap(),
            RECORD.unset(),
            List.of("envoy", "--service-node", "a\nfile 1-1-1 /etc/passwd"),
            RECORD.text());
    assertThat(split.writable()).isFalse();
  }

  @Test
  void refusesWhatIsNotARecord(@TempDir Path tmp) throws Exception {
    assertThat(LaunchRecord.parse("meshboot-launch 2\nkey k\nend\n")).isEmpty();
    assertThat(LaunchRecord.parse("meshboot-launch 1\nkey k\narg envoy\n")).as("no end").isEmpty();
    assertThat(LaunchRecord.parse("meshboot-launch 1\nkey k\nbootstrap 1-1-1 /b\nend\n"))
        .as("no command line")
        .isEmpty();
    assertThat(LaunchRecord.parse("meshboot-launch 1\nkey k\nother\nend\n")).isEmpty();
    Path link = tmp.resolve("link.record");
    Path real = tmp.resolve("real");
    RECORD.write(real);
    Files.createSymbolicLink(link, real);
    assertThat(LaunchRecord.read(link)).as("not through a link").isEmpty();
    assertThat(LaunchRecord.read(tmp.resolve("missing"))).isEmpty();
  }

  @Test
  void aReportNamesTheRenderersInputsAndNoSideFile() {
    String report =
        LaunchRecord.report(
            List.of(
                new dev.meshboot.config.InputFiles.Read(
                    Path.of("/etc/frag.yaml"), "ENVOY_RESOURCES_CONFIG_FILE", "1-2.3-4"),
                new dev.meshboot.config.InputFiles.Read(
                    Path.of("/cache/envoy-version.txt"), "MESHBOOT_CACHE_DIR", "5-6.7-8")),
            List.of());
    assertThat(report).isEqualTo("file 1-2.3-4 /etc/frag.yaml\n");
    assertThat(LaunchRecord.reported(report))
        .contains(List.of(new LaunchRecord.Version("1-2.3-4", Path.of("/etc/frag.yaml"))));
    assertThat(LaunchRecord.reported(report + "side /tmp/sampling.json\n"))
        .as("a start that writes a side file is not recorded")
        .isEmpty();
  }

  /**
   * The renderer run starts reports what it read; a report it cannot write (a read-only cache
   * directory) costs the next start its record, never this one its bootstrap.
   */
  @Test
  void theRendererReportsItsInputsAndAReportItCannotWriteIsNoFailure(@TempDir Path tmp)
      throws Exception {
    Path fragment =
        Files.copy(
            Path.of("src/test/resources/scenarios/files/cluster-only.yaml"),
            tmp.resolve("fragment.yaml"));
    java.util.Map<String, String> env = new java.util.HashMap<>(CliTest.ENV);
    env.put("ENVOY_RESOURCES_CONFIG_FILE", fragment.toString());
    env.put(LaunchRecord.REPORT, tmp.resolve("report").toString());
    CliTest.Result result = CliTest.run(env, "bootstrap", "-o", tmp.resolve("a.json").toString());
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(LaunchRecord.reported(Files.readString(tmp.resolve("report"))).orElseThrow())
        .contains(
            new LaunchRecord.Version(
                dev.meshboot.io.FileIdentity.statForm(fragment).orElseThrow(), fragment));

    env.put(LaunchRecord.REPORT, tmp.resolve("no/such/dir/report").toString());
    result = CliTest.run(env, "bootstrap", "-o", tmp.resolve("b.json").toString());
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(Files.readString(tmp.resolve("b.json")))
        .isEqualTo(Files.readString(tmp.resolve("a.json")));
  }

  @Test
  void keepsTheNewestRecords(@TempDir Path tmp) throws Exception {
    for (int i = 0; i < 5; i++) {
      Path record = tmp.resolve("launch-" + i + ".record");
      RECORD.write(record);
      Files.setLastModifiedTime(record, FileTime.fromMillis(1_000_000L * (i + 1)));
    }
    Files.writeString(tmp.resolve("validated-1.txt"), "other caches stay");
    Path old = Files.writeString(tmp.resolve("launch-4.record.77.check.json"), "a killed run's");
    Files.setLastModifiedTime(old, FileTime.fromMillis(System.currentTimeMillis() - 7_200_000L));
    Files.writeString(tmp.resolve("launch-4.record.88.report"), "a run under way");
    LaunchRecord.keepNewest(tmp, 3);
    try (var files = Files.list(tmp)) {
      assertThat(files.map(file -> file.getFileName().toString()).sorted())
          .containsExactly(
              "launch-2.record",
              "launch-3.record",
              "launch-4.record",
              "launch-4.record.88.report",
              "validated-1.txt");
    }
  }
}

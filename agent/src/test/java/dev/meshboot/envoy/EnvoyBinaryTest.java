package dev.meshboot.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.Environment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs small shell scripts that behave like Envoy does (and like it should not). */
class EnvoyBinaryTest {

  private static EnvoyBinary script(Path dir, String body) throws IOException {
    Path file = dir.resolve("envoy");
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new EnvoyBinary(file, ProcessRunner.system(new Children()));
  }

  @Test
  void readsTheBuildFromVersionOutput(@TempDir Path tmp) throws IOException {
    EnvoyBinary envoy =
        script(tmp, "echo; echo \"$0  version: abc/1.34.2/Clean/RELEASE/BoringSSL-FIPS\"");
    assertThat(envoy.build()).hasValueSatisfying(build -> assertThat(build.fips()).isTrue());
  }

  @Test
  void anUnknownBuildIsEmpty(@TempDir Path tmp) throws IOException {
    assertThat(script(tmp, "exit 3").build()).isEmpty();
  }

  @Test
  void aRejectionCarriesEnvoysErrorLineWithoutTheConfigDump(@TempDir Path tmp) throws IOException {
    EnvoyBinary envoy =
        script(
            tmp,
            "echo '[2026-11-28 19:52:34.121][1][critical][main] [source/server/config_validation/server.cc:76] error initializing configuration: bad thing: {' >&2\n"
                + "echo '  \"node\": {}' >&2\necho '}' >&2\nexit 1");
    assertThat(envoy.validate(tmp.resolve("b.json"), Duration.ofSeconds(10)))
        .isEqualTo(new EnvoyBinary.Verdict.Rejected("error initializing configuration: bad thing"));
  }

  @Test
  void aCrashIsReportedAsSuchWithTheSignal(@TempDir Path tmp) throws IOException {
    EnvoyBinary envoy = script(tmp, "echo 'caught SIGSEGV' >&2\nkill -SEGV $$");
    EnvoyBinary.Verdict verdict = envoy.validate(tmp.resolve("b.json"), Duration.ofSeconds(10));
    assertThat(verdict).isInstanceOf(EnvoyBinary.Verdict.Failed.class);
    assertThat(((EnvoyBinary.Verdict.Failed) verdict).reason())
        .contains("crashed (exit 139, signal 11)")
        .contains("caught SIGSEGV");
  }

  @Test
  void aHungValidationIsKilledAfterTheTimeout(@TempDir Path tmp) throws IOException {
    EnvoyBinary envoy = script(tmp, "exec sleep 30");
    long start = System.nanoTime();
    EnvoyBinary.Verdict verdict = envoy.validate(tmp.resolve("b.json"), Duration.ofSeconds(1));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(((EnvoyBinary.Verdict.Failed) verdict).reason())
        .contains("did not finish within 1s");
  }

  @Test
  void findsEnvoyBinOrThePath(@TempDir Path tmp) throws IOException {
    EnvoyBinary envoy = script(tmp, "true");
    ConfigReader none = new ConfigReader(Environment.of(Map.of()));
    assertThat(EnvoyBinary.find(none, tmp.toString(), ProcessRunner.system(new Children())))
        .hasValueSatisfying(e -> assertThat(e.path()).isEqualTo(envoy.path()));
    ConfigReader bad =
        new ConfigReader(Environment.of(Map.of("ENVOY_BIN", tmp.resolve("missing").toString())));
    assertThatThrownBy(() -> EnvoyBinary.find(bad, "", ProcessRunner.system(new Children())))
        .hasMessageContaining("ENVOY_BIN")
        .hasMessageContaining("not an executable");
  }

  @Test
  void remembersTheVersionUntilTheBinaryChanges(@TempDir Path tmp) throws IOException {
    Path calls = tmp.resolve("calls");
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    EnvoyBinary envoy =
        script(
                bin,
                "echo x >> " + calls + "\necho \"$0  version: abc/1.40.0/Clean/RELEASE/BoringSSL\"")
            .cachingVersionIn(new VersionCache(tmp.resolve("cache")));
    assertThat(envoy.build()).isPresent();
    assertThat(envoy.build())
        .hasValueSatisfying(build -> assertThat(build.release()).isEqualTo("1.40"));
    assertThat(Files.readAllLines(calls)).hasSize(1);
    Files.setLastModifiedTime(envoy.path(), java.nio.file.attribute.FileTime.fromMillis(0));
    assertThat(envoy.build()).isPresent();
    assertThat(Files.readAllLines(calls)).hasSize(2);
  }
}

package dev.meshboot.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnvoyBuildTest {

  @Test
  void readsTheReleaseAfterVersionNotFromTheBinaryPath() {
    EnvoyBuild build =
        EnvoyBuild.parse(
                "\n/root/.pyenv/versions/3.11.7/bin/envoy  version: 9e55809/1.40.0/Clean/RELEASE/BoringSSL\n")
            .orElseThrow();
    assertThat(build.release()).isEqualTo("1.40");
    assertThat(build.fips()).isFalse();
    assertThat(build.hasAwsIamPlugin()).isFalse();
  }

  @Test
  void detectsFipsAndTheAwsIamPlugin() {
    EnvoyBuild build =
        EnvoyBuild.parse("envoy  version: abc/1.34.6-appmesh/Modified/RELEASE/BoringSSL-FIPS")
            .orElseThrow();
    assertThat(build.fips()).isTrue();
    assertThat(build.hasAwsIamPlugin()).isTrue();
    assertThat(
            EnvoyBuild.parse("/opt/fips/envoy  version: abc/1.40.0/Clean/RELEASE/BoringSSL")
                .orElseThrow()
                .fips())
        .isFalse();
  }

  @Test
  void isEmptyWithoutARelease() {
    assertThat(EnvoyBuild.parse("something else")).isEmpty();
  }
}

package dev.meshboot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XdsConfigTest {

  static final Optional<EnvoyBuild> ENVOY_140 =
      EnvoyBuild.parse("envoy  version: abc/1.40.0/Clean/RELEASE/BoringSSL");
  static final Optional<EnvoyBuild> ENVOY_134 =
      EnvoyBuild.parse("envoy  version: abc/1.34.6/Clean/RELEASE/BoringSSL");
  static final Optional<EnvoyBuild> ENVOY_FIPS =
      EnvoyBuild.parse("envoy  version: abc/1.40.0/Clean/RELEASE/BoringSSL-FIPS");

  private static XdsConfig resolve(Optional<EnvoyBuild> envoy, String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return XdsConfig.resolve(Environment.of(env), () -> envoy);
  }

  /** The contract's examples, plus preview, FIPS and China variants. */
  @ParameterizedTest
  @CsvSource({
    "us-west-2,false,false,false,appmesh-envoy-management.us-west-2.amazonaws.com",
    "cn-north-1,false,false,false,appmesh-envoy-management.cn-north-1.amazonaws.com.cn",
    "us-west-2,false,true,false,appmesh-envoy-management.us-west-2.api.aws",
    "us-west-2,true,true,true,appmesh-preview-envoy-management-fips.us-west-2.api.aws",
    "us-gov-west-1,false,true,true,appmesh-envoy-management.us-gov-west-1.api.aws",
    "cn-northwest-1,false,true,false,appmesh-envoy-management.cn-northwest-1.api.amazonwebservices.com.cn",
    "eu-west-1,false,false,true,appmesh-envoy-management-fips.eu-west-1.amazonaws.com",
  })
  void computesTheRegionalEndpoint(
      String region, boolean preview, boolean dualStack, boolean fips, String host) {
    XdsConfig xds =
        resolve(
            ENVOY_140,
            "AWS_REGION",
            region,
            "APPMESH_PREVIEW",
            Boolean.toString(preview),
            "APPMESH_DUALSTACK_ENDPOINT",
            Boolean.toString(dualStack),
            "APPMESH_FIPS_ENDPOINT",
            Boolean.toString(fips));
    assertThat(xds.endpoint()).isEqualTo(new Endpoint.Tcp(host, 443));
    assertThat(xds.tls()).isTrue();
    assertThat(xds.signingName()).isEqualTo(preview ? "appmesh-preview" : "appmesh");
  }

  @Test
  void detectsFipsFromTheEnvoyBuildUnlessTheVariableSaysOtherwise() {
    assertThat(resolve(ENVOY_FIPS, "AWS_REGION", "us-east-1").endpoint().toString())
        .isEqualTo("appmesh-envoy-management-fips.us-east-1.amazonaws.com:443");
    assertThat(
            resolve(ENVOY_FIPS, "AWS_REGION", "us-east-1", "APPMESH_FIPS_ENDPOINT", "0")
                .endpoint()
                .toString())
        .isEqualTo("appmesh-envoy-management.us-east-1.amazonaws.com:443");
  }

  @Test
  void govCloudAndIsoRequireAFipsBuild() {
    assertThatThrownBy(() -> resolve(ENVOY_140, "AWS_REGION", "us-gov-east-1"))
        .hasMessageContaining("requires a FIPS Envoy build");
    assertThatThrownBy(() -> resolve(Optional.empty(), "AWS_REGION", "us-iso-east-1"))
        .hasMessageContaining("no Envoy build could be checked");
    assertThat(resolve(ENVOY_FIPS, "AWS_REGION", "us-gov-east-1").endpoint().toString())
        .isEqualTo("appmesh-envoy-management.us-gov-east-1.amazonaws.com:443");
  }

  @Test
  void autoModeFollowsTheEndpointAndTheEnvoyRelease() {
    assertThat(resolve(ENVOY_140, "AWS_REGION", "us-west-2").mode()).isEqualTo(XdsMode.RELAY);
    assertThat(resolve(ENVOY_134, "AWS_REGION", "us-west-2").mode()).isEqualTo(XdsMode.AWS_IAM);
    assertThat(resolve(Optional.empty(), "AWS_REGION", "us-west-2").mode())
        .isEqualTo(XdsMode.RELAY);
    assertThat(resolve(ENVOY_134, "APPMESH_XDS_ENDPOINT", "unix:///run/xds.sock").mode())
        .isEqualTo(XdsMode.DIRECT);
    assertThat(resolve(ENVOY_134, "APPMESH_XDS_ENDPOINT", "xds.internal:18000").mode())
        .isEqualTo(XdsMode.DIRECT);
    assertThat(
            resolve(
                    ENVOY_134,
                    "AWS_REGION",
                    "us-west-2",
                    "APPMESH_XDS_ENDPOINT",
                    "appmesh-envoy-management.us-west-2.amazonaws.com:443")
                .mode())
        .isEqualTo(XdsMode.AWS_IAM);
  }

  @Test
  void asksEnvoyOnlyWhenTheAnswerMatters() {
    AtomicInteger probes = new AtomicInteger();
    Supplier<Optional<EnvoyBuild>> probe =
        () -> {
          probes.incrementAndGet();
          return ENVOY_140;
        };
    XdsConfig.resolve(Environment.of(Map.of("APPMESH_XDS_ENDPOINT", "unix:///x.sock")), probe);
    XdsConfig.resolve(
        Environment.of(
            Map.of(
                "AWS_REGION",
                "us-west-2",
                "MESHBOOT_XDS_MODE",
                "relay",
                "APPMESH_FIPS_ENDPOINT",
                "false")),
        probe);
    assertThat(probes).hasValue(0);
    XdsConfig.resolve(Environment.of(Map.of("AWS_REGION", "us-west-2")), probe);
    assertThat(probes).hasValue(1);
  }

  @Test
  void regionFallsBackToAwsDefaultRegionAndIsOnlyNeededForAws() {
    assertThat(resolve(ENVOY_140, "AWS_DEFAULT_REGION", "eu-central-1").region())
        .contains("eu-central-1");
    assertThat(resolve(ENVOY_140, "APPMESH_XDS_ENDPOINT", "10.0.0.1:15010").region()).isEmpty();
    assertThatThrownBy(() -> resolve(ENVOY_140)).hasMessageStartingWith("AWS_REGION must be set");
  }

  @Test
  void theRegionLookupIsAskedOnlyWhenARegionalEndpointHasNoRegionVariable() {
    AtomicInteger asked = new AtomicInteger();
    Supplier<FoundRegion> lookup =
        () -> {
          asked.incrementAndGet();
          return new FoundRegion(
              "eu-west-1", "ECS task metadata at http://169.254.170.2/v4/t/task");
        };
    XdsConfig fromMetadata = XdsConfig.resolve(Environment.of(Map.of()), () -> ENVOY_140, lookup);
    assertThat(asked).hasValue(1);
    assertThat(fromMetadata.region()).contains("eu-west-1");
    assertThat(fromMetadata.regionSource())
        .contains("ECS task metadata at http://169.254.170.2/v4/t/task");
    assertThat(fromMetadata.endpoint())
        .hasToString("appmesh-envoy-management.eu-west-1.amazonaws.com:443");
    assertThat(fromMetadata.decisions())
        .contains("region=eu-west-1 from ECS task metadata at http://169.254.170.2/v4/t/task");

    XdsConfig fromVariable =
        XdsConfig.resolve(
            Environment.of(Map.of("AWS_DEFAULT_REGION", "us-east-2")), () -> ENVOY_140, lookup);
    assertThat(fromVariable.regionSource()).contains("AWS_DEFAULT_REGION (environment)");
    XdsConfig.resolve(
        Environment.of(Map.of("APPMESH_XDS_ENDPOINT", "10.0.0.1:15010")), () -> ENVOY_140, lookup);
    assertThat(asked).as("not asked again").hasValue(1);
  }

  @Test
  void signingNameCanBeOverridden() {
    assertThat(
            resolve(ENVOY_140, "AWS_REGION", "us-west-2", "APPMESH_SIGNING_NAME", "appmesh-gamma")
                .signingName())
        .isEqualTo("appmesh-gamma");
  }

  @Test
  void parsesEndpoints() {
    assertThat(resolve(ENVOY_140, "APPMESH_XDS_ENDPOINT", "[fd00::1]:443").endpoint())
        .isEqualTo(new Endpoint.Tcp("fd00::1", 443));
    assertThatThrownBy(() -> resolve(ENVOY_140, "APPMESH_XDS_ENDPOINT", "unix://relative/path"))
        .hasMessageContaining("unix:///absolute/path");
    assertThatThrownBy(() -> resolve(ENVOY_140, "APPMESH_XDS_ENDPOINT", "xds:70000"))
        .hasMessageContaining("host:port");
    assertThatThrownBy(() -> resolve(ENVOY_140, "APPMESH_XDS_ENDPOINT", "[not-ip]:443"))
        .hasMessageContaining("host:port");
  }
}

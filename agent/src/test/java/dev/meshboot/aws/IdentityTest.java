package dev.meshboot.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.config.Environment;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

class IdentityTest {

  @Test
  void neitherToStringNorTheMapHoldsASecret() {
    AwsSessionCredentials credentials =
        AwsSessionCredentials.builder()
            .accessKeyId("AKIAKEYIDVALUE")
            .secretAccessKey("SECRETVALUE-do-not-show")
            .sessionToken("TOKENVALUE-do-not-show")
            .expirationTime(Instant.parse("2030-01-01T00:00:00Z"))
            .providerName("ContainerCredentialsProvider")
            .accountId("123456789012")
            .build();

    Identity identity =
        Identity.of(credentials, "arn:aws:sts::123456789012:assumed-role/mesh/meshboot", null);

    String everything = identity + " " + identity.toMap();
    assertThat(everything)
        .doesNotContain("AKIAKEYIDVALUE")
        .doesNotContain("SECRETVALUE")
        .doesNotContain("TOKENVALUE");
    assertThat(identity.toMap())
        .containsExactly(
            Map.entry("source", "ContainerCredentialsProvider"),
            Map.entry("arn", "arn:aws:sts::123456789012:assumed-role/mesh/meshboot"),
            Map.entry("account", "123456789012"),
            Map.entry("expiry", "2030-01-01T00:00:00Z"));
  }

  @Test
  void usingRefreshedCredentialsKeepsTheCallerAndTakesTheirExpiry() {
    Identity first =
        Identity.of(
            AwsSessionCredentials.builder()
                .accessKeyId("ASIAFIRST")
                .secretAccessKey("first-secret")
                .sessionToken("first-token")
                .expirationTime(Instant.parse("2030-01-01T00:00:00Z"))
                .providerName("ContainerCredentialsProvider")
                .build(),
            "arn:aws:sts::123456789012:assumed-role/mesh/meshboot",
            "123456789012");
    AwsSessionCredentials refreshed =
        AwsSessionCredentials.builder()
            .accessKeyId("ASIASECOND")
            .secretAccessKey("second-secret")
            .sessionToken("second-token")
            .expirationTime(Instant.parse("2030-01-01T06:00:00Z"))
            .providerName("ContainerCredentialsProvider")
            .build();

    assertThat(first.using(refreshed))
        .isEqualTo(
            new Identity(
                "ContainerCredentialsProvider",
                "arn:aws:sts::123456789012:assumed-role/mesh/meshboot",
                "123456789012",
                Instant.parse("2030-01-01T06:00:00Z")));
  }

  @Test
  void lookUpAsksStsWhoTheCallerIs() throws IOException {
    try (FakeSts sts = new FakeSts();
        Credentials credentials = Credentials.provider(Environment.of(env(sts)))) {
      Identity identity = Identity.lookUp(credentials);
      assertThat(identity.source()).isEqualTo(Credentials.ENVIRONMENT_PROVIDER);
      assertThat(identity.callerArn())
          .isEqualTo("arn:aws:sts::123456789012:assumed-role/mesh/meshboot");
      assertThat(identity.account()).isEqualTo("123456789012");
      assertThat(identity.expiry()).isNull();
      assertThat(sts.actions()).containsExactly("GetCallerIdentity");
      assertThat(sts.authorizations)
          .singleElement()
          .asString()
          .startsWith("AWS4-HMAC-SHA256 Credential=AKIAENV/")
          .contains("/us-west-2/sts/aws4_request");
    }
  }

  @Test
  void theRegionalStsEndpointFollowsThePartition() {
    assertThat(CallerIdentity.regional("us-west-2"))
        .hasToString("https://sts.us-west-2.amazonaws.com");
    assertThat(CallerIdentity.regional("cn-north-1"))
        .hasToString("https://sts.cn-north-1.amazonaws.com.cn");
    assertThat(CallerIdentity.regional("us-gov-west-1"))
        .hasToString("https://sts.us-gov-west-1.amazonaws.com");
  }

  @Test
  void lookUpLeavesTheArnOutWhenStsRefuses() throws IOException {
    try (FakeSts sts = new FakeSts()) {
      sts.denyCallerIdentity = true;
      try (Credentials credentials = Credentials.provider(Environment.of(env(sts)))) {
        Identity identity = Identity.lookUp(credentials);
        assertThat(identity.callerArn()).isNull();
        assertThat(identity.source()).isEqualTo(Credentials.ENVIRONMENT_PROVIDER);
        assertThat(sts.actions()).containsExactly("GetCallerIdentity");
      }
    }
  }

  private static Map<String, String> env(FakeSts sts) {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_REGION", "us-west-2");
    env.put("AWS_ACCESS_KEY_ID", "AKIAENV");
    env.put("AWS_SECRET_ACCESS_KEY", "env-secret");
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_CONFIG_FILE", "/nonexistent/config");
    env.put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
    env.put("MESHBOOT_STS_ENDPOINT", sts.url());
    return env;
  }
}

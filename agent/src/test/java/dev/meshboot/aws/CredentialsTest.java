package dev.meshboot.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.Environment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

class CredentialsTest {

  static final Credentials.Refresh QUICK =
      new Credentials.Refresh(Duration.ofSeconds(2), Duration.ofSeconds(1));

  @TempDir Path tmp;

  /** No profile files, no instance metadata unless a test gives it. */
  Map<String, String> base() {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_REGION", "us-west-2");
    env.put("AWS_CONFIG_FILE", tmp.resolve("none-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("none-credentials").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    return env;
  }

  static Credentials credentials(Map<String, String> env, Credentials.Refresh refresh) {
    return Credentials.create(Environment.of(env), () -> "us-west-2", refresh);
  }

  @Test
  void environmentVariables() {
    Map<String, String> env = base();
    env.put("AWS_ACCESS_KEY_ID", "AKIAENV");
    env.put("AWS_SECRET_ACCESS_KEY", "env-secret");
    env.put("AWS_SESSION_TOKEN", "env-session");
    try (Credentials credentials = credentials(env, QUICK)) {
      AwsCredentials resolved = credentials.resolveCredentials();
      assertThat(resolved.accessKeyId()).isEqualTo("AKIAENV");
      assertThat(((AwsSessionCredentials) resolved).sessionToken()).isEqualTo("env-session");
      assertThat(resolved.providerName()).hasValue(Credentials.ENVIRONMENT_PROVIDER);
      assertThat(credentials.sources()).containsExactly("environment");
    }
  }

  @Test
  void halfStaticCredentialsNameTheMissingVariable() {
    Map<String, String> env = base();
    env.put("AWS_ACCESS_KEY_ID", "AKIAENV");
    assertThatThrownBy(() -> credentials(env, QUICK))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AWS_SECRET_ACCESS_KEY must be set");
  }

  @Test
  void profileFromTheFilesTheEnvironmentNames() throws IOException {
    Path file = tmp.resolve("credentials");
    Files.writeString(
        file,
        """
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = default-secret
        [mesh]
        aws_access_key_id = AKIAPROFILE
        aws_secret_access_key = profile-secret
        """);
    Map<String, String> env = base();
    env.put("AWS_SHARED_CREDENTIALS_FILE", file.toString());
    env.put("AWS_PROFILE", "mesh");
    try (Credentials credentials = credentials(env, QUICK)) {
      assertThat(credentials.resolveCredentials().accessKeyId()).isEqualTo("AKIAPROFILE");
    }
    env.put("AWS_PROFILE", "missing");
    assertThatThrownBy(() -> credentials(env, QUICK))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AWS_PROFILE: no profile \"missing\"");
  }

  @Test
  void webIdentityThroughSts() throws IOException {
    try (FakeSts sts = new FakeSts()) {
      Path token = Files.writeString(tmp.resolve("token"), "eyJ.web.identity\n");
      Map<String, String> env = base();
      env.put("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString());
      env.put("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/cart");
      env.put("MESHBOOT_STS_ENDPOINT", sts.url());
      try (Credentials credentials = credentials(env, QUICK)) {
        AwsCredentials resolved = credentials.resolveCredentials();
        assertThat(resolved.accessKeyId()).isEqualTo("ASIAWEB1");
        assertThat(resolved.expirationTime()).isPresent();
      }
      assertThat(sts.calls.getFirst())
          .containsEntry("Action", "AssumeRoleWithWebIdentity")
          .containsEntry("RoleArn", "arn:aws:iam::123456789012:role/cart")
          .containsEntry("RoleSessionName", "meshboot")
          .containsEntry("WebIdentityToken", "eyJ.web.identity");
      // Not signed: the token is the proof.
      assertThat(sts.authorizations.getFirst()).isEmpty();
    }
  }

  @Test
  void containerCredentialsWithTheAuthorizationTokenFromAFile() throws IOException {
    try (FakeContainerCredentials endpoint = new FakeContainerCredentials("pod-identity-token")) {
      Map<String, String> env = base();
      env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url());
      env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", "stale-token");
      env.put(
          "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
          Files.writeString(tmp.resolve("eks-pod-identity-token"), "pod-identity-token\n")
              .toString());
      try (Credentials credentials = credentials(env, QUICK)) {
        AwsCredentials resolved = credentials.resolveCredentials();
        assertThat(resolved.accessKeyId()).isEqualTo("ASIACONTAINER1");
        assertThat(resolved.providerName()).hasValue(ContainerCredentials.PROVIDER_NAME);
      }
    }
  }

  @Test
  void containerCredentialsRefusedWithoutTheRightToken() throws IOException {
    try (FakeContainerCredentials endpoint = new FakeContainerCredentials("right")) {
      Map<String, String> env = base();
      env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url());
      env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong");
      try (Credentials credentials = credentials(env, QUICK)) {
        assertThatThrownBy(credentials::resolveCredentials)
            .hasMessageContaining("HTTP 401")
            .hasMessageNotContaining("wrong");
      }
    }
  }

  @Test
  void plainHttpContainerEndpointOnlyToLoopbackOrLinkLocal() {
    Map<String, String> env = base();
    env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://198.51.100.7/creds");
    assertThatThrownBy(() -> credentials(env, QUICK))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AWS_CONTAINER_CREDENTIALS_FULL_URI: expected an https:// URL");
  }

  @Test
  void instanceProfileThroughImdsV2() throws IOException {
    try (FakeImds imds = new FakeImds("us-west-2")) {
      Map<String, String> env = base();
      env.remove("AWS_EC2_METADATA_DISABLED");
      env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url());
      try (Credentials credentials = credentials(env, QUICK)) {
        AwsCredentials resolved = credentials.resolveCredentials();
        assertThat(resolved.accessKeyId()).isEqualTo("ASIAIMDS1");
        assertThat(resolved.providerName()).isPresent();
      }
      assertThat(imds.server.requests.getFirst().method()).isEqualTo("PUT");
      assertThat(imds.refused).hasValue(0);
    }
  }

  @Test
  void assumeRoleSignsWithTheChainAndPassesExternalIdAndSessionName() throws IOException {
    try (FakeSts sts = new FakeSts()) {
      Map<String, String> env = base();
      env.put("AWS_ACCESS_KEY_ID", "AKIABASE");
      env.put("AWS_SECRET_ACCESS_KEY", "base-secret");
      env.put("MESHBOOT_STS_ENDPOINT", sts.url());
      env.put("MESHBOOT_ASSUME_ROLE_ARN", "arn:aws:iam::210987654321:role/mesh-reader");
      env.put("MESHBOOT_ASSUME_ROLE_EXTERNAL_ID", "shop-mesh-7");
      env.put("MESHBOOT_ASSUME_ROLE_SESSION_NAME", "cart-sidecar");
      env.put("MESHBOOT_ASSUME_ROLE_DURATION_S", "900");
      try (Credentials credentials = credentials(env, QUICK)) {
        assertThat(credentials.resolveCredentials().accessKeyId()).isEqualTo("ASIAROLE1");
        assertThat(credentials.sources().getFirst())
            .startsWith("assumed role arn:aws:iam::210987654321:role/mesh-reader with environment");
      }
      assertThat(sts.calls.getFirst())
          .containsEntry("Action", "AssumeRole")
          .containsEntry("RoleArn", "arn:aws:iam::210987654321:role/mesh-reader")
          .containsEntry("ExternalId", "shop-mesh-7")
          .containsEntry("RoleSessionName", "cart-sidecar")
          .containsEntry("DurationSeconds", "900");
      assertThat(sts.authorizations.getFirst())
          .startsWith("AWS4-HMAC-SHA256 Credential=AKIABASE/")
          .contains("/us-west-2/sts/aws4_request");
    }
  }

  @Test
  void assumeRoleVariablesAreChecked() {
    Map<String, String> env = base();
    env.put("AWS_ACCESS_KEY_ID", "AKIABASE");
    env.put("AWS_SECRET_ACCESS_KEY", "base-secret");
    env.put("MESHBOOT_ASSUME_ROLE_ARN", "arn:aws:iam::210987654321:role/mesh-reader");
    env.put("MESHBOOT_ASSUME_ROLE_DURATION_S", "600");
    assertThatThrownBy(() -> credentials(env, QUICK))
        .hasMessage(
            "MESHBOOT_ASSUME_ROLE_DURATION_S: expected an integer 900-43200 but got \"600\"");
    env.put("MESHBOOT_ASSUME_ROLE_DURATION_S", "3600");
    env.put("MESHBOOT_ASSUME_ROLE_ARN", "mesh-reader");
    assertThatThrownBy(() -> credentials(env, QUICK))
        .hasMessageStartingWith("MESHBOOT_ASSUME_ROLE_ARN: expected a role ARN");
  }

  @Test
  void assumedRoleCredentialsAreRefreshedAcrossTheirExpiry() throws Exception {
    try (FakeSts sts = new FakeSts()) {
      sts.lifetime = Duration.ofSeconds(3);
      Map<String, String> env = base();
      env.put("AWS_ACCESS_KEY_ID", "AKIABASE");
      env.put("AWS_SECRET_ACCESS_KEY", "base-secret");
      env.put("MESHBOOT_STS_ENDPOINT", sts.url());
      env.put("MESHBOOT_ASSUME_ROLE_ARN", "arn:aws:iam::210987654321:role/mesh-reader");
      try (Credentials credentials = credentials(env, QUICK)) {
        AwsCredentials first = credentials.resolveCredentials();
        assertThat(credentials.resolveCredentials().accessKeyId())
            .as("cached while fresh")
            .isEqualTo(first.accessKeyId());
        Thread.sleep(
            first.expirationTime().orElseThrow().toEpochMilli() - System.currentTimeMillis() + 200);
        AwsCredentials second = credentials.resolveCredentials();
        assertThat(second.accessKeyId()).isNotEqualTo(first.accessKeyId());
        assertThat(second.expirationTime().orElseThrow())
            .isAfter(first.expirationTime().orElseThrow());
      }
    }
  }

  @Test
  void containerCredentialsAreRefreshedAcrossTheirExpiry() throws Exception {
    try (FakeContainerCredentials endpoint = new FakeContainerCredentials("t")) {
      endpoint.lifetime = Duration.ofSeconds(3);
      Map<String, String> env = base();
      env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url());
      env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", "t");
      try (Credentials credentials = credentials(env, QUICK)) {
        AwsCredentials first = credentials.resolveCredentials();
        assertThat(credentials.resolveCredentials().accessKeyId()).isEqualTo(first.accessKeyId());
        Thread.sleep(
            first.expirationTime().orElseThrow().toEpochMilli() - System.currentTimeMillis() + 200);
        assertThat(credentials.resolveCredentials().accessKeyId())
            .isNotEqualTo(first.accessKeyId());
      }
    }
  }

  @Test
  void theChainTriesEachSourceInOrder() throws IOException {
    try (FakeContainerCredentials endpoint = new FakeContainerCredentials("t");
        FakeImds imds = new FakeImds("us-west-2")) {
      Map<String, String> env = base();
      env.remove("AWS_EC2_METADATA_DISABLED");
      env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url());
      env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url());
      env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", "t");
      try (Credentials credentials = credentials(env, QUICK)) {
        assertThat(credentials.sources())
            .containsExactly("container endpoint", "EC2 instance profile (" + imds.url() + ")");
        assertThat(credentials.resolveCredentials().accessKeyId()).isEqualTo("ASIACONTAINER1");
      }
      assertThat(imds.credentialCalls).hasValue(0);
    }
  }
}

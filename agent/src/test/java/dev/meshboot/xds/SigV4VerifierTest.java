package dev.meshboot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/** The tests' SigV4 verifier against the specification's published test suite. */
class SigV4VerifierTest {

  private static final String SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

  private static final SigV4Verifier SUITE =
      new SigV4Verifier(
          "us-east-1",
          "service",
          Map.of("AKIDEXAMPLE", AwsBasicCredentials.create("AKIDEXAMPLE", SUITE_SECRET)),
          Set.of("AKIDEXAMPLE"),
          Clock.fixed(Instant.parse("2015-08-30T12:36:00Z"), ZoneOffset.UTC));

  private static Metadata headers(String signature) {
    Metadata headers = new Metadata();
    headers.put(
        SigV4Verifier.AUTHORIZATION,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
            + " SignedHeaders=host;x-amz-date, Signature="
            + signature);
    headers.put(SigV4Verifier.DATE, "20150830T123600Z");
    return headers;
  }

  @Test
  void acceptsTheSuitesPostVanillaRequest() {
    // post-vanilla: POST / on example.amazonaws.com, an empty body, host and x-amz-date signed.
    assertThat(
            SUITE.check(
                "example.amazonaws.com",
                "",
                headers("5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")))
        .isNull();
  }

  @Test
  void refusesAnyOtherSignatureOrRequest() {
    Status tampered =
        SUITE.check(
            "example.amazonaws.com",
            "",
            headers("5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6c"));
    assertThat(tampered).isNotNull();
    assertThat(tampered.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    Status otherPath =
        SUITE.check(
            "example.amazonaws.com",
            "envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources",
            headers("5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
    assertThat(otherPath).isNotNull();
    assertThat(otherPath.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void meshbootSignsStreamsAsEnvoysAwsIamPluginDid() {
    Instant now = Instant.now();
    AwsSessionCredentials session =
        AwsSessionCredentials.create("AKIDSESSION", "session-secret", "session-token");
    String authority = "appmesh-envoy-management.us-west-2.amazonaws.com:443";
    String method =
        "envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources";
    Metadata signed =
        new SigV4CallCredentials(
                "us-west-2",
                "appmesh",
                () -> session,
                Clock.fixed(now, ZoneOffset.UTC),
                Runnable::run)
            .headers(authority, method);

    assertThat(
            signed.get(Metadata.Key.of("x-amz-content-sha256", Metadata.ASCII_STRING_MARSHALLER)))
        .isEqualTo(SigV4Verifier.EMPTY_BODY_SHA256);
    assertThat(signed.get(SigV4Verifier.AUTHORIZATION))
        .contains("/us-west-2/appmesh/aws4_request")
        .contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,");
    assertThat(signed.get(SigV4Verifier.TOKEN)).isEqualTo("session-token");
    SigV4Verifier appMesh =
        new SigV4Verifier(
            "us-west-2",
            "appmesh",
            Map.of("AKIDSESSION", session),
            Set.of("AKIDSESSION"),
            Clock.fixed(now, ZoneOffset.UTC));
    assertThat(appMesh.check(authority, method, signed)).isNull();
  }
}

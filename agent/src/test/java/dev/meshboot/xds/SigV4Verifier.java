package dev.meshboot.xds;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * A management server's check of SigV4-signed streams, written from the SigV4 specification
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html) with
 * the JDK's SHA-256 and HMAC only, sharing nothing with meshboot's signer: it rebuilds the
 * canonical request of {@code POST https://<authority>/<service>/<method>} from the headers the
 * stream carries, hashing the request body itself (a gRPC stream's request has an empty one, as
 * Envoy's aws_iam plugin signed it), and recomputes the signature with the caller's secret, the
 * expected region and service and the request's own date. The {@code host} signed is the stream's
 * authority without a {@code :443} suffix (gRPC's service URL drops the default port, and the App
 * Mesh endpoint accepted Envoy's streams signed so). Unsigned, tampered, expired, wrong region or
 * service, a payload hash other than the empty body's, unknown key: 16 (UNAUTHENTICATED); a known
 * key without permission: 7.
 */
public final class SigV4Verifier implements ServerInterceptor {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> DATE =
      Metadata.Key.of("x-amz-date", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> TOKEN =
      Metadata.Key.of("x-amz-security-token", Metadata.ASCII_STRING_MARSHALLER);

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final String region;
  private final String service;
  private final Map<String, AwsCredentialsIdentity> keys;
  private final Set<String> permitted;
  private final Clock clock;

  public SigV4Verifier(
      String region,
      String service,
      Map<String, AwsCredentialsIdentity> keys,
      Set<String> permitted) {
    this(region, service, keys, permitted, Clock.systemUTC());
  }

  /** With a clock of its own: the published test vectors are from 2015. */
  SigV4Verifier(
      String region,
      String service,
      Map<String, AwsCredentialsIdentity> keys,
      Set<String> permitted,
      Clock clock) {
    this.region = region;
    this.service = service;
    this.keys = keys;
    this.permitted = permitted;
    this.clock = clock;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Status refused =
        check(call.getAuthority(), call.getMethodDescriptor().getFullMethodName(), headers);
    if (refused != null) {
      call.close(refused, new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  /** The SHA-256 of an empty body, computed here: the payload hash of every signed stream. */
  static final String EMPTY_BODY_SHA256 = hex(sha256(""));

  private static final Pattern AUTHORIZATION_FORM =
      Pattern.compile(
          "AWS4-HMAC-SHA256 Credential=([^/,]+)/(\\d{8})/([^/,]+)/([^/,]+)/aws4_request,"
              + " ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})");

  /** Null when the stream may go on. */
  @org.jspecify.annotations.Nullable
  Status check(
      @org.jspecify.annotations.Nullable String authority, String method, Metadata headers) {
    String authorization = headers.get(AUTHORIZATION);
    String date = headers.get(DATE);
    if (authorization == null || date == null || authority == null) {
      return Status.UNAUTHENTICATED.withDescription("missing authentication token");
    }
    Matcher parts = AUTHORIZATION_FORM.matcher(authorization);
    if (!parts.matches()) {
      return Status.UNAUTHENTICATED.withDescription("malformed authorization header");
    }
    String keyId = parts.group(1);
    String day = parts.group(2);
    List<String> signedHeaders = List.of(parts.group(5).split(";"));
    AwsCredentialsIdentity known = keys.get(keyId);
    if (known == null) {
      return Status.UNAUTHENTICATED.withDescription("the security token included is invalid");
    }
    if (!parts.group(3).equals(region) || !parts.group(4).equals(service)) {
      return Status.UNAUTHENTICATED.withDescription(
          "credential should be scoped to region " + region + " and service " + service);
    }
    Instant signedAt = Instant.from(AMZ_DATE.parse(date));
    if (Duration.between(signedAt, clock.instant()).abs().compareTo(Duration.ofMinutes(5)) > 0) {
      return Status.UNAUTHENTICATED.withDescription("signature expired");
    }
    if (!date.startsWith(day)) {
      return Status.UNAUTHENTICATED.withDescription("credential date is not the request's");
    }
    for (String required : List.of("host", "x-amz-date")) {
      if (!signedHeaders.contains(required)) {
        return Status.UNAUTHENTICATED.withDescription(required + " is not signed");
      }
    }
    String token = headers.get(TOKEN);
    if (token != null && !signedHeaders.contains("x-amz-security-token")) {
      return Status.UNAUTHENTICATED.withDescription("the security token is not signed");
    }
    StringBuilder canonical = new StringBuilder("POST\n/").append(method).append("\n\n");
    for (String name : signedHeaders) {
      String value =
          name.equals("host")
              ? (authority.endsWith(":443")
                  ? authority.substring(0, authority.length() - 4)
                  : authority)
              : headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
      if (value == null) {
        return Status.UNAUTHENTICATED.withDescription("signed header " + name + " is missing");
      }
      canonical.append(name).append(':').append(value.trim().replaceAll(" +", " ")).append('\n');
    }
    // The body is hashed here, not taken from x-amz-content-sha256: a stream's body is empty.
    canonical.append('\n').append(parts.group(5)).append('\n').append(EMPTY_BODY_SHA256);
    String scope = day + "/" + region + "/" + service + "/aws4_request";
    String toSign =
        "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + hex(sha256(canonical.toString()));
    byte[] key = ("AWS4" + known.secretAccessKey()).getBytes(StandardCharsets.UTF_8);
    for (String step : List.of(day, region, service, "aws4_request")) {
      key = hmac(key, step);
    }
    String signature = hex(hmac(key, toSign));
    if (!MessageDigest.isEqual(
        signature.getBytes(StandardCharsets.US_ASCII),
        parts.group(6).getBytes(StandardCharsets.US_ASCII))) {
      return Status.UNAUTHENTICATED.withDescription("the request signature does not match");
    }
    if (!permitted.contains(keyId)) {
      return Status.PERMISSION_DENIED.withDescription(
          "not authorized to perform appmesh:StreamAggregatedResources");
    }
    return null;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}

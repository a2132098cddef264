package dev.meshboot.xds;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * A management server's check of SigV4-signed streams, as App Mesh does it: recomputes the
 * signature with the AWS SDK's signer from the request the stream stands for, the caller's secret,
 * the expected region and service, and the request's own date. Unsigned, tampered, expired, wrong
 * region or service, unknown key: 16 (UNAUTHENTICATED); a known key without permission: 7.
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

  public SigV4Verifier(
      String region,
      String service,
      Map<String, AwsCredentialsIdentity> keys,
      Set<String> permitted) {
    this.region = region;
    this.service = service;
    this.keys = keys;
    this.permitted = permitted;
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

  /** Null when the stream may go on. */
  @org.jspecify.annotations.Nullable
  Status check(
      @org.jspecify.annotations.Nullable String authority, String method, Metadata headers) {
    String authorization = headers.get(AUTHORIZATION);
    String date = headers.get(DATE);
    if (authorization == null || date == null || authority == null) {
      return Status.UNAUTHENTICATED.withDescription("missing authentication token");
    }
    int start = authorization.indexOf("Credential=") + "Credential=".length();
    String keyId = authorization.substring(start, authorization.indexOf('/', start));
    AwsCredentialsIdentity known = keys.get(keyId);
    if (known == null) {
      return Status.UNAUTHENTICATED.withDescription("the security token included is invalid");
    }
    Instant signedAt = Instant.from(AMZ_DATE.parse(date));
    if (Duration.between(signedAt, Instant.now()).abs().compareTo(Duration.ofMinutes(5)) > 0) {
      return Status.UNAUTHENTICATED.withDescription("signature expired");
    }
    String token = headers.get(TOKEN);
    AwsCredentialsIdentity identity =
        token == null
            ? known
            : AwsSessionCredentialsIdentity.create(
                known.accessKeyId(), known.secretAccessKey(), token);
    Metadata expected =
        new SigV4CallCredentials(
                region,
                service,
                () -> identity,
                Clock.fixed(signedAt, ZoneOffset.UTC),
                Runnable::run)
            .headers(authority, method);
    if (!authorization.equals(expected.get(AUTHORIZATION))) {
      return Status.UNAUTHENTICATED.withDescription("the request signature does not match");
    }
    if (!permitted.contains(keyId)) {
      return Status.PERMISSION_DENIED.withDescription(
          "not authorized to perform appmesh:StreamAggregatedResources");
    }
    return null;
  }
}

package dev.meshboot.xds;

import dev.meshboot.log.Log;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Signs every upstream xDS stream with AWS SigV4 (the AWS SDK's signer) exactly as Envoy's removed
 * {@code envoy.grpc_credentials.aws_iam} plugin did, the form the App Mesh endpoint is known to
 * accept: the request is {@code POST https://<authority>/<service>/<method>} with an empty body,
 * its payload hash (SHA-256 of nothing) signed and sent as {@code x-amz-content-sha256}, for the
 * signing name and region; the credentials are asked for each stream, so refreshed ones are used as
 * they come. The signature headers travel as gRPC metadata.
 */
final class SigV4CallCredentials extends CallCredentials {

  private static final Log log = Log.of(SigV4CallCredentials.class);

  /** The SHA-256 of an empty body: Envoy's aws_iam signed every stream with it. */
  static final String EMPTY_BODY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
  private final String region;
  private final String signingName;
  private final Supplier<? extends AwsCredentialsIdentity> credentials;
  private final java.time.Clock clock;
  private final Executor executor;

  /** Signs on {@code executor}: credentials may need a network call (STS, IMDS). */
  SigV4CallCredentials(
      String region,
      String signingName,
      Supplier<? extends AwsCredentialsIdentity> credentials,
      Executor executor) {
    this(region, signingName, credentials, java.time.Clock.systemUTC(), executor);
  }

  SigV4CallCredentials(
      String region,
      String signingName,
      Supplier<? extends AwsCredentialsIdentity> credentials,
      java.time.Clock clock,
      Executor executor) {
    this.region = region;
    this.signingName = signingName;
    this.credentials = credentials;
    this.clock = clock;
    this.executor = executor;
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo info, Executor callExecutor, MetadataApplier applier) {
    // Not on the call's executor: the relay's calls run on the transport's thread, and credentials
    // may need a network call.
    executor.execute(
        () -> {
          try {
            applier.apply(
                headers(info.getAuthority(), info.getMethodDescriptor().getFullMethodName()));
          } catch (RuntimeException e) {
            // The SDK's messages name the provider that failed, never a secret.
            applier.fail(
                Status.UNAUTHENTICATED
                    .withDescription("meshboot cannot sign the xDS stream: " + e.getMessage())
                    .withCause(e));
          }
        });
  }

  /**
   * Signs one throwaway request for {@code authority} on the executor, so that the first stream
   * finds the credentials resolved (the providers cache them) and the signer's classes loaded and
   * run once. Nothing is sent; a failure (no credentials yet) only logs, and the first stream asks
   * again and fails as it would have.
   */
  void warm(String authority, String fullMethodName) {
    executor.execute(
        () -> {
          try {
            headers(authority, fullMethodName);
            log.debug("SigV4 signing ready ahead of Envoy's first stream");
          } catch (RuntimeException e) {
            // The SDK's messages name the provider that failed, never a secret.
            log.debug(
                "SigV4 signing not ready yet; the first stream tries again",
                "error",
                e.getMessage());
          }
        });
  }

  /** The SigV4 headers of one stream ({@code authorization}, {@code x-amz-date}, ...). */
  Metadata headers(String authority, String fullMethodName) {
    int colon = authority.lastIndexOf(':');
    String host = colon < 0 ? authority : authority.substring(0, colon);
    int port = colon < 0 ? 443 : Integer.parseInt(authority.substring(colon + 1));
    SdkHttpRequest request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .protocol("https")
            .host(host)
            .port(port)
            .encodedPath("/" + fullMethodName)
            // Envoy's signer set this header before signing, so it is among the signed headers.
            .putHeader("x-amz-content-sha256", EMPTY_BODY_SHA256)
            .build();
    SignedRequest signed =
        signer.sign(
            r ->
                r.identity(credentials.get())
                    .request(request)
                    .payload(ContentStreamProvider.fromByteArrayUnsafe(new byte[0]))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true)
                    .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock));
    Metadata metadata = new Metadata();
    signed
        .request()
        .forEachHeader(
            (name, values) -> {
              String key = name.toLowerCase(Locale.ROOT);
              if (!key.equals("host") && !values.isEmpty()) {
                metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), values.get(0));
              }
            });
    return metadata;
  }
}

package dev.meshboot.aws;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.RegionMetadata;

/**
 * STS GetCallerIdentity as one signed request: the SDK's SigV4 signer signs it and the SDK's
 * URL-connection client sends it, and the two fields wanted are read from the answer. Not the SDK's
 * generated STS client: its ~800 classes cost 7 MB of resident memory in every pod for this one
 * call at start (bench/supervise.py --relay, 90 MB with it, 83 MB without), while the signer and
 * the HTTP client are loaded anyway. Credentials that need STS (web identity, an assumed role)
 * still use the SDK's providers and their client.
 */
final class CallerIdentity {

  /** GetCallerIdentity's answer: the caller's ARN and account. */
  record Caller(String arn, @Nullable String account) {}

  private static final String BODY = "Action=GetCallerIdentity&Version=2011-06-15";
  private static final Pattern ARN = Pattern.compile("<Arn>([^<]+)</Arn>");
  private static final Pattern ACCOUNT = Pattern.compile("<Account>([^<]+)</Account>");

  private CallerIdentity() {}

  /**
   * Asks STS who {@code credentials} belong to; an IOException for no answer, a refusal (its HTTP
   * status, never the body) or an answer without an ARN.
   */
  static Caller ask(Sts sts, AwsCredentialsIdentity credentials, Duration timeout)
      throws IOException {
    String region = sts.region().get();
    URI endpoint = sts.endpoint() != null ? sts.endpoint() : regional(region);
    SdkHttpRequest request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(endpoint)
            .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            .build();
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.request(request)
                        .payload(ContentStreamProvider.fromUtf8String(BODY))
                        .identity(credentials)
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region));
    HttpExecuteResponse response =
        AwsHttp.client(timeout)
            .prepareRequest(
                HttpExecuteRequest.builder()
                    .request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null))
                    .build())
            .call();
    int status = response.httpResponse().statusCode();
    try (AbortableInputStream body = response.responseBody().orElse(null)) {
      if (status != 200 || body == null) {
        throw new IOException("STS GetCallerIdentity answered HTTP " + status);
      }
      String text = read(body);
      Optional<String> arn = first(ARN, text);
      if (arn.isEmpty()) {
        throw new IOException("STS GetCallerIdentity answered without an Arn");
      }
      return new Caller(arn.get(), first(ACCOUNT, text).orElse(null));
    }
  }

  /** {@code https://sts.<region>.<the partition's DNS suffix>}, as the SDK's endpoint rules say. */
  static URI regional(String region) {
    RegionMetadata metadata = software.amazon.awssdk.regions.Region.of(region).metadata();
    String suffix = metadata != null ? metadata.partition().dnsSuffix() : "amazonaws.com";
    return URI.create("https://sts." + region + "." + suffix);
  }

  private static Optional<String> first(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    return matcher.find() ? Optional.of(matcher.group(1).trim()) : Optional.empty();
  }

  private static String read(InputStream body) throws IOException {
    byte[] bytes = body.readNBytes(64 * 1024);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}

package dev.meshboot.aws;

import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;

/**
 * How this package reaches STS: the URL-connection client, the region, and the endpoint given by
 * {@code MESHBOOT_STS_ENDPOINT} (a VPC endpoint, a test server) or else the regional one.
 *
 * @param http the HTTP client every STS client shares
 * @param endpoint the endpoint override, or null for the regional endpoint
 * @param region the region, asked only when a client is built
 */
record Sts(SdkHttpClient http, @Nullable URI endpoint, Supplier<String> region) {

  /** A client for refreshing credentials: standard retries, each call bounded. */
  StsClient client(AwsCredentialsProvider credentials) {
    return builder(credentials)
        .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(20)))
        .build();
  }

  private StsClientBuilder builder(AwsCredentialsProvider credentials) {
    StsClientBuilder builder =
        StsClient.builder()
            .httpClient(http)
            .region(software.amazon.awssdk.regions.Region.of(region.get()))
            .credentialsProvider(credentials);
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder;
  }
}

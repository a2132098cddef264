package dev.meshboot.aws;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.meshboot.config.InputFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;
import software.amazon.awssdk.utils.cache.CachedSupplier;
import software.amazon.awssdk.utils.cache.NonBlocking;
import software.amazon.awssdk.utils.cache.RefreshResult;

/**
 * Credentials from the container credentials endpoint: the ECS task role and EKS Pod Identity.
 *
 * <p>The SDK's {@code ContainerCredentialsProvider} reads the endpoint and the authorization token
 * only from the process environment and system properties, so it cannot take meshboot's layered
 * environment (or a test's). This provider does the same request with the SDK's HTTP client and
 * caches through the SDK's {@link CachedSupplier} (refresh ahead of expiry, in the background).
 */
final class ContainerCredentials implements AwsCredentialsProvider, SdkAutoCloseable {

  static final String PROVIDER_NAME = "ContainerCredentialsProvider";

  /** The SDK's rule: plain http only to these hosts or loopback. */
  private static final Set<String> LINK_LOCAL =
      Set.of("169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]");

  private final URI endpoint;
  private final @Nullable String token;
  private final @Nullable Path tokenFile;
  private final SdkHttpClient http;
  private final Credentials.Refresh refresh;
  private final CachedSupplier<AwsCredentials> cache;

  ContainerCredentials(
      URI endpoint,
      @Nullable String token,
      @Nullable Path tokenFile,
      SdkHttpClient http,
      Credentials.Refresh refresh) {
    this.endpoint = endpoint;
    this.token = token;
    this.tokenFile = tokenFile;
    this.http = http;
    this.refresh = refresh;
    this.cache =
        CachedSupplier.builder(this::fetch)
            .cachedValueName("meshboot-container-credentials")
            .prefetchStrategy(new NonBlocking("meshboot-container-credentials"))
            .build();
  }

  /** Whether plain http to this host is allowed, as the SDK allows it. */
  static boolean allowedHttpHost(String host) {
    if (LINK_LOCAL.contains(host)) {
      return true;
    }
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public AwsCredentials resolveCredentials() {
    return cache.get();
  }

  private RefreshResult<AwsCredentials> fetch() {
    String document;
    try {
      document = AwsHttp.get(http, endpoint, authorization());
    } catch (IOException | UncheckedIOException e) {
      throw SdkClientException.create(
          "container credentials endpoint " + endpoint + ": " + Region.reason(e), e);
    }
    AwsSessionCredentials credentials = parse(document);
    Instant expiry = credentials.expirationTime().orElseThrow();
    return RefreshResult.builder((AwsCredentials) credentials)
        .staleTime(expiry.minus(refresh.stale()))
        .prefetchTime(expiry.minus(refresh.prefetch()))
        .build();
  }

  private Map<String, String> authorization() {
    if (tokenFile != null) {
      return Map.of(
          "Authorization",
          InputFiles.read(
                  tokenFile, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", InputFiles.TOKEN_LIMIT)
              .trim());
    }
    return token != null ? Map.of("Authorization", token) : Map.of();
  }

  private AwsSessionCredentials parse(String document) {
    try {
      JsonObject json = JsonParser.parseString(document).getAsJsonObject();
      AwsSessionCredentials.Builder credentials =
          AwsSessionCredentials.builder()
              .accessKeyId(field(json, "AccessKeyId"))
              .secretAccessKey(field(json, "SecretAccessKey"))
              .sessionToken(field(json, "Token"))
              .expirationTime(Instant.parse(field(json, "Expiration")))
              .providerName(PROVIDER_NAME);
      JsonElement account = json.get("AccountId");
      if (account != null && account.isJsonPrimitive()) {
        credentials.accountId(account.getAsString());
      }
      return credentials.build();
    } catch (JsonParseException | IllegalStateException | DateTimeParseException e) {
      // The message never quotes the document: it holds the secret.
      throw SdkClientException.create(
          "container credentials endpoint "
              + endpoint
              + ": unexpected answer ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  private static String field(JsonObject json, String name) {
    JsonElement value = json.get(name);
    if (value == null || !value.isJsonPrimitive() || value.getAsString().isBlank()) {
      throw new IllegalStateException(name + " missing");
    }
    return value.getAsString();
  }

  @Override
  public void close() {
    cache.close();
  }

  @Override
  public String toString() {
    return "ContainerCredentials[" + endpoint + "]";
  }
}

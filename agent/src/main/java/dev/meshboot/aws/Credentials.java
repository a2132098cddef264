package dev.meshboot.aws;

import static dev.meshboot.config.Variables.AWS_ACCESS_KEY_ID;
import static dev.meshboot.config.Variables.AWS_CONFIG_FILE;
import static dev.meshboot.config.Variables.AWS_CONTAINER_AUTHORIZATION_TOKEN;
import static dev.meshboot.config.Variables.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
import static dev.meshboot.config.Variables.AWS_CONTAINER_CREDENTIALS_FULL_URI;
import static dev.meshboot.config.Variables.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
import static dev.meshboot.config.Variables.AWS_EC2_METADATA_DISABLED;
import static dev.meshboot.config.Variables.AWS_EC2_METADATA_SERVICE_ENDPOINT;
import static dev.meshboot.config.Variables.AWS_PROFILE;
import static dev.meshboot.config.Variables.AWS_ROLE_ARN;
import static dev.meshboot.config.Variables.AWS_ROLE_SESSION_NAME;
import static dev.meshboot.config.Variables.AWS_SECRET_ACCESS_KEY;
import static dev.meshboot.config.Variables.AWS_SESSION_TOKEN;
import static dev.meshboot.config.Variables.AWS_SHARED_CREDENTIALS_FILE;
import static dev.meshboot.config.Variables.AWS_WEB_IDENTITY_TOKEN_FILE;
import static dev.meshboot.config.Variables.MESHBOOT_STS_ENDPOINT;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.Environment;
import dev.meshboot.config.Setting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The agent's AWS credentials: the SDK's default chain (environment, web identity, profile,
 * container, EC2 instance profile), each provider built from meshboot's environment rather than the
 * process's, optionally wrapped in an assumed role ({@code MESHBOOT_ASSUME_ROLE_ARN}). Temporary
 * credentials are refreshed in the background ahead of their expiry. Close it to stop the refresh
 * threads.
 */
public final class Credentials implements AwsCredentialsProvider, SdkAutoCloseable {

  static final String ENVIRONMENT_PROVIDER = "EnvironmentVariableCredentialsProvider";
  private static final String ECS_CREDENTIALS_HOST = "http://169.254.170.2";

  private final AwsCredentialsProvider provider;
  private final List<String> sources;
  private final Sts sts;
  private final List<AutoCloseable> resources;

  private Credentials(
      AwsCredentialsProvider provider,
      List<String> sources,
      Sts sts,
      List<AutoCloseable> resources) {
    this.provider = provider;
    this.sources = List.copyOf(sources);
    this.sts = sts;
    this.resources = List.copyOf(resources);
  }

  /**
   * The credentials the environment gives. The region is resolved (see {@link Region#resolve}) only
   * when STS is needed: web identity, an assumed role or {@link Identity#lookUp}.
   */
  public static Credentials provider(Environment environment) {
    return create(environment, memoize(() -> Region.resolve(environment)), Refresh.DEFAULT);
  }

  static Credentials create(Environment environment, Supplier<String> region, Refresh refresh) {
    ConfigReader reader = new ConfigReader(environment);
    List<AutoCloseable> resources = new ArrayList<>();
    SdkHttpClient metadataHttp = AwsHttp.client(AwsHttp.METADATA_TIMEOUT);
    SdkHttpClient stsHttp = AwsHttp.client(Duration.ofSeconds(5));
    resources.add(metadataHttp);
    resources.add(stsHttp);
    Sts sts = new Sts(stsHttp, stsEndpoint(environment), region);
    try {
      List<AwsCredentialsProvider> chain = new ArrayList<>();
      List<String> sources = new ArrayList<>();
      environmentCredentials(reader).ifPresent(p -> add(chain, sources, p, "environment"));
      webIdentity(reader, sts, refresh, resources)
          .ifPresent(
              p -> add(chain, sources, p, "web identity (" + reader.string(AWS_ROLE_ARN) + ")"));
      profile(reader, environment).ifPresent(p -> add(chain, sources, p, "profile"));
      container(environment, reader, metadataHttp, refresh, resources)
          .ifPresent(p -> add(chain, sources, p, "container endpoint"));
      if (!reader.optionalBool(AWS_EC2_METADATA_DISABLED).orElse(false)) {
        URI imds =
            Region.endpoint(environment, AWS_EC2_METADATA_SERVICE_ENDPOINT, Region.IMDS_DEFAULT);
        InstanceProfileCredentialsProvider instance =
            InstanceProfileCredentialsProvider.builder()
                .endpoint(imds.toString())
                .profileFile(ProfileFile.aggregator().build())
                .staleTime(refresh.stale())
                .asyncCredentialUpdateEnabled(true)
                .asyncThreadName("meshboot-imds-credentials")
                .build();
        resources.add(instance);
        add(chain, sources, instance, "EC2 instance profile (" + imds + ")");
      }
      if (chain.isEmpty()) {
        throw new ConfigException(
            AWS_EC2_METADATA_DISABLED.name(),
            "No AWS credentials source: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a web identity,"
                + " a profile or a container credentials endpoint, or unset"
                + " AWS_EC2_METADATA_DISABLED to use the EC2 instance profile");
      }
      AwsCredentialsProvider base =
          chain.size() == 1
              ? chain.getFirst()
              : AwsCredentialsProviderChain.builder()
                  .reuseLastProviderEnabled(true)
                  .credentialsProviders(chain)
                  .build();
      Optional<AssumeRole> assumeRole = AssumeRole.from(reader);
      if (assumeRole.isEmpty()) {
        return new Credentials(base, sources, sts, resources);
      }
      StsClient client = sts.client(base);
      resources.add(client);
      StsAssumeRoleCredentialsProvider assumed = assumeRole.get().provider(client, refresh);
      resources.add(assumed);
      List<String> described = new ArrayList<>();
      described.add(
          "assumed role "
              + assumeRole.get().roleArn()
              + " with "
              + String.join(", then ", sources));
      return new Credentials(assumed, described, sts, resources);
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
  }

  @Override
  public AwsCredentials resolveCredentials() {
    return provider.resolveCredentials();
  }

  /** Where credentials are looked for, in order, for a log line (no secrets). */
  public List<String> sources() {
    return sources;
  }

  /** STS as this agent reaches it, for {@link Identity#lookUp}. */
  Sts sts() {
    return sts;
  }

  @Override
  public void close() {
    closeAll(resources);
  }

  @Override
  public String toString() {
    return "Credentials" + sources;
  }

  private static void add(
      List<AwsCredentialsProvider> chain,
      List<String> sources,
      AwsCredentialsProvider provider,
      String source) {
    chain.add(provider);
    sources.add(source);
  }

  private static Optional<AwsCredentialsProvider> environmentCredentials(ConfigReader reader) {
    Optional<String> key = reader.optionalString(AWS_ACCESS_KEY_ID);
    Optional<String> secret = reader.optionalString(AWS_SECRET_ACCESS_KEY);
    if (key.isEmpty() && secret.isEmpty()) {
      return Optional.empty();
    }
    if (key.isEmpty() || secret.isEmpty()) {
      String missing = key.isEmpty() ? AWS_ACCESS_KEY_ID.name() : AWS_SECRET_ACCESS_KEY.name();
      throw new ConfigException(
          missing,
          missing
              + " must be set too: static credentials need AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY");
    }
    Optional<String> token = reader.optionalString(AWS_SESSION_TOKEN);
    AwsCredentials credentials =
        token.isPresent()
            ? AwsSessionCredentials.builder()
                .accessKeyId(key.get().trim())
                .secretAccessKey(secret.get().trim())
                .sessionToken(token.get().trim())
                .providerName(ENVIRONMENT_PROVIDER)
                .build()
            : AwsBasicCredentials.builder()
                .accessKeyId(key.get().trim())
                .secretAccessKey(secret.get().trim())
                .providerName(ENVIRONMENT_PROVIDER)
                .build();
    return Optional.of(StaticCredentialsProvider.create(credentials));
  }

  private static Optional<AwsCredentialsProvider> webIdentity(
      ConfigReader reader, Sts sts, Refresh refresh, List<AutoCloseable> resources) {
    Optional<Path> tokenFile = reader.path(AWS_WEB_IDENTITY_TOKEN_FILE);
    if (tokenFile.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> role = reader.environment().given(AWS_ROLE_ARN).map(Setting::value);
    if (role.isEmpty()) {
      throw new ConfigException(
          AWS_ROLE_ARN.name(),
          "AWS_ROLE_ARN must be set: AWS_WEB_IDENTITY_TOKEN_FILE is set, and web identity needs"
              + " the role to assume");
    }
    String session = reader.string(AWS_ROLE_SESSION_NAME);
    // AssumeRoleWithWebIdentity is not signed: the token is the proof.
    StsClient client = sts.client(AnonymousCredentialsProvider.create());
    resources.add(client);
    Path file = tokenFile.get();
    StsAssumeRoleWithWebIdentityCredentialsProvider provider =
        StsAssumeRoleWithWebIdentityCredentialsProvider.builder()
            .stsClient(client)
            // A supplier: the token file is rotated (EKS: hourly), so read it at every refresh.
            .refreshRequest(
                () ->
                    AssumeRoleWithWebIdentityRequest.builder()
                        .roleArn(role.get().trim())
                        .roleSessionName(session)
                        .webIdentityToken(readToken(file, AWS_WEB_IDENTITY_TOKEN_FILE.name()))
                        .build())
            .asyncCredentialUpdateEnabled(true)
            .staleTime(refresh.stale())
            .prefetchTime(refresh.prefetch())
            .build();
    resources.add(provider);
    return Optional.of(provider);
  }

  private static Optional<AwsCredentialsProvider> profile(
      ConfigReader reader, Environment environment) {
    Path home = Path.of(System.getProperty("user.home", "/"));
    Path config = reader.path(AWS_CONFIG_FILE).orElse(home.resolve(".aws/config"));
    Path credentials =
        reader.path(AWS_SHARED_CREDENTIALS_FILE).orElse(home.resolve(".aws/credentials"));
    ProfileFile.Aggregator files = ProfileFile.aggregator();
    boolean any = false;
    if (Files.isRegularFile(config)) {
      files.addFile(
          ProfileFile.builder().content(config).type(ProfileFile.Type.CONFIGURATION).build());
      any = true;
    }
    if (Files.isRegularFile(credentials)) {
      files.addFile(
          ProfileFile.builder().content(credentials).type(ProfileFile.Type.CREDENTIALS).build());
      any = true;
    }
    String name = reader.string(AWS_PROFILE).trim();
    ProfileFile file = files.build();
    if (!any || file.profile(name).isEmpty()) {
      if (environment.given(AWS_PROFILE).isPresent()) {
        throw new ConfigException(
            AWS_PROFILE.name(),
            "AWS_PROFILE: no profile \"" + name + "\" in " + config + " or " + credentials);
      }
      return Optional.empty();
    }
    return Optional.of(
        ProfileCredentialsProvider.builder().profileFile(file).profileName(name).build());
  }

  private static Optional<AwsCredentialsProvider> container(
      Environment environment,
      ConfigReader reader,
      SdkHttpClient http,
      Refresh refresh,
      List<AutoCloseable> resources) {
    URI endpoint;
    Optional<Setting> full = environment.given(AWS_CONTAINER_CREDENTIALS_FULL_URI);
    Optional<Setting> relative = environment.given(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI);
    if (relative.isPresent()) {
      String path = relative.get().value().trim();
      endpoint = URI.create(ECS_CREDENTIALS_HOST + (path.startsWith("/") ? path : "/" + path));
    } else if (full.isPresent()) {
      endpoint = Region.endpoint(environment, AWS_CONTAINER_CREDENTIALS_FULL_URI, "http://x");
      String host = endpoint.getHost();
      if (endpoint.getScheme().equals("http")
          && (host == null || !ContainerCredentials.allowedHttpHost(host))) {
        throw ConfigException.invalid(
            full.get(),
            "an https:// URL, or http:// to loopback, 169.254.170.2, 169.254.170.23 or"
                + " [fd00:ec2::23]");
      }
    } else {
      return Optional.empty();
    }
    ContainerCredentials provider =
        new ContainerCredentials(
            endpoint,
            reader.optionalString(AWS_CONTAINER_AUTHORIZATION_TOKEN).map(String::trim).orElse(null),
            reader.path(AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE).orElse(null),
            http,
            refresh);
    resources.add(provider);
    return Optional.of(provider);
  }

  private static @Nullable URI stsEndpoint(Environment environment) {
    return environment.given(MESHBOOT_STS_ENDPOINT).isPresent()
        ? Region.endpoint(environment, MESHBOOT_STS_ENDPOINT, "http://x")
        : null;
  }

  private static String readToken(Path file, String variable) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(
          new IOException(variable + ": cannot read the token file " + file, e));
    }
  }

  private static <T> Supplier<T> memoize(Supplier<T> supplier) {
    return new Supplier<>() {
      private @Nullable T value;

      @Override
      public synchronized T get() {
        T result = value;
        if (result == null) {
          result = supplier.get();
          value = result;
        }
        return result;
      }
    };
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable resource : resources.reversed()) {
      try {
        resource.close();
      } catch (Exception e) {
        // Closing frees threads and sockets; a failure leaves nothing to undo.
      }
    }
  }

  /** How long before expiry credentials are refreshed: in the background, then blocking. */
  record Refresh(Duration prefetch, Duration stale) {
    static final Refresh DEFAULT = new Refresh(Duration.ofMinutes(5), Duration.ofMinutes(1));
  }
}

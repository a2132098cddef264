package dev.meshboot.aws;

import static dev.meshboot.config.Variables.AWS_EC2_METADATA_DISABLED;
import static dev.meshboot.config.Variables.AWS_EC2_METADATA_SERVICE_ENDPOINT;
import static dev.meshboot.config.Variables.AWS_ROLE_ARN;
import static dev.meshboot.config.Variables.MESHBOOT_STS_ENDPOINT;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.Environment;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
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
      CredentialSources.environmentCredentials(reader)
          .ifPresent(p -> add(chain, sources, p, "environment"));
      CredentialSources.webIdentity(reader, sts, refresh, resources)
          .ifPresent(
              p -> add(chain, sources, p, "web identity (" + reader.string(AWS_ROLE_ARN) + ")"));
      CredentialSources.profile(reader, environment)
          .ifPresent(p -> add(chain, sources, p, "profile"));
      CredentialSources.container(environment, reader, metadataHttp, refresh, resources)
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

  private static @Nullable URI stsEndpoint(Environment environment) {
    return environment.given(MESHBOOT_STS_ENDPOINT).isPresent()
        ? Region.endpoint(environment, MESHBOOT_STS_ENDPOINT, "http://x")
        : null;
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

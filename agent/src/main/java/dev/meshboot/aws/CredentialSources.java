package dev.meshboot.aws;

import static dev.meshboot.config.Variables.AWS_ACCESS_KEY_ID;
import static dev.meshboot.config.Variables.AWS_CONFIG_FILE;
import static dev.meshboot.config.Variables.AWS_CONTAINER_AUTHORIZATION_TOKEN;
import static dev.meshboot.config.Variables.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
import static dev.meshboot.config.Variables.AWS_CONTAINER_CREDENTIALS_FULL_URI;
import static dev.meshboot.config.Variables.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
import static dev.meshboot.config.Variables.AWS_PROFILE;
import static dev.meshboot.config.Variables.AWS_ROLE_ARN;
import static dev.meshboot.config.Variables.AWS_ROLE_SESSION_NAME;
import static dev.meshboot.config.Variables.AWS_SECRET_ACCESS_KEY;
import static dev.meshboot.config.Variables.AWS_SESSION_TOKEN;
import static dev.meshboot.config.Variables.AWS_SHARED_CREDENTIALS_FILE;
import static dev.meshboot.config.Variables.AWS_WEB_IDENTITY_TOKEN_FILE;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.Environment;
import dev.meshboot.config.InputFiles;
import dev.meshboot.config.RoleSettings;
import dev.meshboot.config.Setting;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;

/**
 * The sources of the credentials chain, each built from meshboot's environment (options, env file,
 * process) rather than the process environment the SDK would read: static keys, web identity,
 * profile files and the container endpoint; empty when the environment does not configure one.
 */
final class CredentialSources {

  private static final String ECS_CREDENTIALS_HOST = "http://169.254.170.2";

  private CredentialSources() {}

  static Optional<AwsCredentialsProvider> environmentCredentials(ConfigReader reader) {
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
                .providerName(Credentials.ENVIRONMENT_PROVIDER)
                .build()
            : AwsBasicCredentials.builder()
                .accessKeyId(key.get().trim())
                .secretAccessKey(secret.get().trim())
                .providerName(Credentials.ENVIRONMENT_PROVIDER)
                .build();
    return Optional.of(StaticCredentialsProvider.create(credentials));
  }

  static Optional<AwsCredentialsProvider> webIdentity(
      ConfigReader reader, Sts sts, Credentials.Refresh refresh, List<AutoCloseable> resources) {
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
    RoleSettings.checked(
        reader.environment().given(AWS_ROLE_ARN).orElseThrow(),
        RoleSettings.ROLE_ARN,
        "a role ARN such as arn:aws:iam::123456789012:role/mesh");
    String session =
        RoleSettings.checked(
            reader.environment().setting(AWS_ROLE_SESSION_NAME).orElseThrow(),
            RoleSettings.SESSION_NAME,
            "2-64 of A-Z a-z 0-9 +=,.@-_");
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

  static Optional<AwsCredentialsProvider> profile(ConfigReader reader, Environment environment) {
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

  static Optional<AwsCredentialsProvider> container(
      Environment environment,
      ConfigReader reader,
      SdkHttpClient http,
      Credentials.Refresh refresh,
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

  /** A token file: a regular file of at most 64 KiB (a FIFO or device would hang or flood). */
  private static String readToken(Path file, String variable) {
    return InputFiles.read(file, variable, InputFiles.TOKEN_LIMIT).trim();
  }
}

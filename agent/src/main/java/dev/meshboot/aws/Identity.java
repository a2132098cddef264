package dev.meshboot.aws;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Who the agent is to AWS, safe to show in {@code /status} and logs: which credentials source
 * answered, the caller ARN and account when STS says, and when the credentials expire. It never
 * holds the access key, the secret key or the session token.
 *
 * @param source the provider that gave the credentials ({@code providerName()}), or "unknown"
 * @param callerArn the ARN from STS GetCallerIdentity, or null when not known or not allowed
 * @param account the account id, or null
 * @param expiry when the credentials expire, or null for long-term credentials
 */
public record Identity(
    String source, @Nullable String callerArn, @Nullable String account, @Nullable Instant expiry) {

  static final Duration CALLER_TIMEOUT = Duration.ofSeconds(2);

  /** The identity of these credentials, without asking STS. */
  public static Identity of(AwsCredentialsIdentity credentials) {
    return of(credentials, null, null);
  }

  /** The identity of these credentials, with what GetCallerIdentity answered. */
  public static Identity of(
      AwsCredentialsIdentity credentials, @Nullable String callerArn, @Nullable String account) {
    return new Identity(
        credentials.providerName().orElse("unknown"),
        callerArn,
        account != null ? account : credentials.accountId().orElse(null),
        credentials.expirationTime().orElse(null));
  }

  /**
   * This caller with the source and expiry of {@code current}, the credentials now in use: the
   * caller stays the same across refreshes, the expiry does not.
   */
  public Identity using(AwsCredentialsIdentity current) {
    return new Identity(
        current.providerName().orElse(source),
        callerArn,
        account != null ? account : current.accountId().orElse(null),
        current.expirationTime().orElse(null));
  }

  /**
   * Resolves the credentials and asks STS GetCallerIdentity, best effort: one attempt within 2 s;
   * when it fails (no network, not allowed, no region) the ARN is left out. Resolving the
   * credentials themselves may fail with the SDK's exception.
   */
  public static Identity lookUp(Credentials credentials) {
    AwsCredentialsIdentity resolved = credentials.resolveCredentials();
    try {
      CallerIdentity.Caller caller =
          CallerIdentity.ask(credentials.sts(), resolved, CALLER_TIMEOUT);
      return of(resolved, caller.arn(), caller.account());
    } catch (IOException | SdkException | dev.meshboot.config.ConfigException e) {
      return of(resolved);
    }
  }

  /** The identity as a JSON-able map; absent values are left out. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("source", source);
    Optional.ofNullable(callerArn).ifPresent(arn -> map.put("arn", arn));
    Optional.ofNullable(account).ifPresent(id -> map.put("account", id));
    Optional.ofNullable(expiry).ifPresent(at -> map.put("expiry", at.toString()));
    return map;
  }

  @Override
  public String toString() {
    return "Identity" + toMap();
  }
}

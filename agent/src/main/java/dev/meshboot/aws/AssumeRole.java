package dev.meshboot.aws;

import static dev.meshboot.config.Variables.MESHBOOT_ASSUME_ROLE_ARN;
import static dev.meshboot.config.Variables.MESHBOOT_ASSUME_ROLE_DURATION_S;
import static dev.meshboot.config.Variables.MESHBOOT_ASSUME_ROLE_EXTERNAL_ID;
import static dev.meshboot.config.Variables.MESHBOOT_ASSUME_ROLE_SESSION_NAME;

import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.RoleSettings;
import dev.meshboot.config.Setting;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * The role to assume on top of the credentials chain ({@code MESHBOOT_ASSUME_ROLE_*}), checked as
 * STS would check it so that a typo fails at start with the variable's name.
 *
 * @param roleArn the role
 * @param externalId the external id, or null
 * @param sessionName the role session name
 * @param durationSeconds the credentials' lifetime
 */
record AssumeRole(
    String roleArn, @Nullable String externalId, String sessionName, int durationSeconds) {

  private static final Pattern ROLE_ARN = RoleSettings.ROLE_ARN;
  private static final Pattern SESSION_NAME = RoleSettings.SESSION_NAME;
  private static final Pattern EXTERNAL_ID = RoleSettings.EXTERNAL_ID;

  /** The role the variables name, or empty when {@code MESHBOOT_ASSUME_ROLE_ARN} is unset. */
  static Optional<AssumeRole> from(ConfigReader reader) {
    Optional<Setting> arn = reader.environment().given(MESHBOOT_ASSUME_ROLE_ARN);
    if (arn.isEmpty()) {
      return Optional.empty();
    }
    String roleArn =
        checked(arn.get(), ROLE_ARN, "a role ARN such as arn:aws:iam::123456789012:role/mesh");
    String externalId =
        reader
            .environment()
            .given(MESHBOOT_ASSUME_ROLE_EXTERNAL_ID)
            .map(s -> checked(s, EXTERNAL_ID, "2-1224 of A-Z a-z 0-9 +=,.@:/-_"))
            .orElse(null);
    String session =
        checked(
            reader.environment().setting(MESHBOOT_ASSUME_ROLE_SESSION_NAME).orElseThrow(),
            SESSION_NAME,
            "2-64 of A-Z a-z 0-9 +=,.@-_");
    int duration = reader.integer(MESHBOOT_ASSUME_ROLE_DURATION_S, 900, 43_200).orElseThrow();
    return Optional.of(new AssumeRole(roleArn, externalId, session, duration));
  }

  /** A provider that assumes the role and refreshes ahead of expiry, in the background. */
  StsAssumeRoleCredentialsProvider provider(StsClient sts, Credentials.Refresh refresh) {
    return StsAssumeRoleCredentialsProvider.builder()
        .stsClient(sts)
        .refreshRequest(
            request ->
                request
                    .roleArn(roleArn)
                    .roleSessionName(sessionName)
                    .durationSeconds(durationSeconds)
                    .externalId(externalId))
        .asyncCredentialUpdateEnabled(true)
        .staleTime(refresh.stale())
        .prefetchTime(refresh.prefetch())
        .build();
  }

  private static String checked(Setting setting, Pattern pattern, String expected) {
    return RoleSettings.checked(setting, pattern, expected);
  }
}

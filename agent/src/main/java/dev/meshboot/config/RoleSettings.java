package dev.meshboot.config;

import java.util.regex.Pattern;

/**
 * The forms of the IAM role variables (web identity's {@code AWS_ROLE_ARN} and {@code
 * AWS_ROLE_SESSION_NAME}, meshboot's assume-role ones), checked with the rest of the configuration
 * at start-up rather than when STS first refuses them, maybe an hour later at a refresh.
 */
public final class RoleSettings {

  /** IAM's form of a role ARN (a path allowed). */
  public static final Pattern ROLE_ARN =
      Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");

  /** STS's form of a role session name. */
  public static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");

  /** STS's form of an external id. */
  public static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:/-]{2,1224}");

  static final String ROLE_ARN_FORM = "a role ARN such as arn:aws:iam::123456789012:role/mesh";
  static final String SESSION_NAME_FORM = "2-64 of A-Z a-z 0-9 +=,.@-_";

  private RoleSettings() {}

  /** The text of {@code setting} when it has the form of {@code pattern}. */
  public static String checked(Setting setting, Pattern pattern, String expected) {
    String value = setting.value().trim();
    if (!pattern.matcher(value).matches()) {
      throw ConfigException.invalid(setting, expected);
    }
    return value;
  }

  /** Checks every role variable that is set (and the session name's default). */
  public static void check(Environment environment) {
    for (Variable arn :
        new Variable[] {Variables.AWS_ROLE_ARN, Variables.MESHBOOT_ASSUME_ROLE_ARN}) {
      environment.given(arn).ifPresent(setting -> checked(setting, ROLE_ARN, ROLE_ARN_FORM));
    }
    for (Variable session :
        new Variable[] {
          Variables.AWS_ROLE_SESSION_NAME, Variables.MESHBOOT_ASSUME_ROLE_SESSION_NAME
        }) {
      environment
          .setting(session)
          .ifPresent(setting -> checked(setting, SESSION_NAME, SESSION_NAME_FORM));
    }
    environment
        .given(Variables.MESHBOOT_ASSUME_ROLE_EXTERNAL_ID)
        .ifPresent(setting -> checked(setting, EXTERNAL_ID, "2-1224 of A-Z a-z 0-9 +=,.@:/-_"));
    new ConfigReader(environment).integer(Variables.MESHBOOT_ASSUME_ROLE_DURATION_S, 900, 43_200);
  }
}

package dev.meshboot.envoy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The environment Envoy is started with: meshboot's, less what Envoy's mode does not need. AWS
 * credentials reach Envoy only when Envoy signs its own ADS stream (the aws_iam plugin of Envoy
 * 1.34 and older); in relay and direct modes meshboot holds them, and an environment-variable data
 * source in any xDS response or cached configuration could otherwise serve them over HTTP.
 */
public final class EnvoyEnvironment {

  /** Credentials, and where credentials are fetched from. */
  static final Set<String> CREDENTIALS =
      Set.of(
          "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN",
          "AWS_CONTAINER_AUTHORIZATION_TOKEN",
          "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
          "AWS_CONTAINER_CREDENTIALS_FULL_URI",
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
          "AWS_WEB_IDENTITY_TOKEN_FILE",
          "AWS_ROLE_ARN",
          "AWS_ROLE_SESSION_NAME");

  /** meshboot's own plumbing between its processes. */
  static final Set<String> INTERNAL =
      Set.of(
          "MESHBOOT_RENDER_COMMAND",
          "MESHBOOT_FALLBACKS_WARNED",
          "MESHBOOT_LAUNCH_KEY",
          "MESHBOOT_LAUNCH_RECORD",
          "MESHBOOT_ADOPT",
          "MESHBOOT_RENDER_REPORT");

  private EnvoyEnvironment() {}

  /**
   * {@code environment} for Envoy.
   *
   * @param envoySigns whether Envoy signs its ADS stream itself and so needs the credentials
   */
  public static Map<String, String> of(Map<String, String> environment, boolean envoySigns) {
    Map<String, String> out = new LinkedHashMap<>();
    environment.forEach(
        (name, value) -> {
          if (!INTERNAL.contains(name) && (envoySigns || !CREDENTIALS.contains(name))) {
            out.put(name, value);
          }
        });
    return out;
  }
}

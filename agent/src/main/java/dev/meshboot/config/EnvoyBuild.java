package dev.meshboot.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code envoy --version} said about the Envoy binary: its release and whether it is a FIPS
 * build. The xDS mode and the FIPS endpoint depend on it.
 *
 * @param versionLine the line Envoy printed, for messages
 * @param major major release (1)
 * @param minor minor release (40)
 * @param fips whether the build reports FIPS
 */
public record EnvoyBuild(String versionLine, int major, int minor, boolean fips) {

  private static final Pattern RELEASE =
      Pattern.compile("version:\\s*\\S*?/(\\d+)\\.(\\d+)\\.(\\d+)");

  /** Parses the output of {@code envoy --version}; empty when it names no release. */
  public static Optional<EnvoyBuild> parse(String output) {
    String line = output.strip();
    Matcher release = RELEASE.matcher(line);
    // Envoy prints "<argv[0]>  version: <sha>/<release>/<status>/<build type>/<TLS library>".
    if (!release.find()) {
      return Optional.empty();
    }
    return Optional.of(
        new EnvoyBuild(
            line,
            Integer.parseInt(release.group(1)),
            Integer.parseInt(release.group(2)),
            line.substring(release.start()).toLowerCase(Locale.ROOT).contains("fips")));
  }

  /** Whether this Envoy still has the {@code envoy.grpc_credentials.aws_iam} plugin (≤ 1.34). */
  public boolean hasAwsIamPlugin() {
    return major < 1 || (major == 1 && minor <= 34);
  }

  /** {@code 1.40}. */
  public String release() {
    return major + "." + minor;
  }
}

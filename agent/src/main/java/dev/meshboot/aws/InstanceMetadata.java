package dev.meshboot.aws;

import dev.meshboot.config.PlatformFacts.Placement;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.imds.Ec2MetadataClient;

/**
 * EC2 instance metadata through the SDK's {@link Ec2MetadataClient} (IMDSv2: a session token first,
 * then each request with it): the instance's region, availability zone and zone ID.
 */
final class InstanceMetadata {

  static final String DEFAULT_ENDPOINT = "http://169.254.169.254";
  static final String REGION_PATH = "/latest/meta-data/placement/region";
  static final String ZONE_PATH = "/latest/meta-data/placement/availability-zone";
  static final String ZONE_ID_PATH = "/latest/meta-data/placement/availability-zone-id";

  /** A region name: us-west-2, us-gov-east-1, cn-north-1. */
  static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");

  private static final Pattern ZONE = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+[a-z0-9-]*");
  private static final Pattern ZONE_ID = Pattern.compile("[a-z0-9]+-[a-z0-9-]+");

  private InstanceMetadata() {}

  /** An IMDSv2 client whose attempts each give up after {@code http}'s timeouts; 2 retries. */
  static Ec2MetadataClient client(SdkHttpClient http, URI endpoint) {
    return Ec2MetadataClient.builder()
        .httpClient(http)
        .endpoint(endpoint)
        .tokenTtl(Duration.ofMinutes(5))
        .retryPolicy(retry -> retry.numRetries(2))
        .build();
  }

  /**
   * Reads the placement: region and availability zone are required, the zone ID is kept when the
   * instance metadata has it.
   *
   * @throws SdkException when the instance metadata does not answer
   * @throws IllegalArgumentException when an answer does not look like a region or zone
   */
  static Placement read(Ec2MetadataClient imds) {
    String region = checked(imds.get(REGION_PATH).asString(), REGION, "placement/region");
    String zone = checked(imds.get(ZONE_PATH).asString(), ZONE, "placement/availability-zone");
    Optional<String> zoneId;
    try {
      zoneId =
          Optional.of(
              checked(
                  imds.get(ZONE_ID_PATH).asString(), ZONE_ID, "placement/availability-zone-id"));
    } catch (SdkException e) {
      // Region and zone answered, so the instance metadata works: the zone ID is just missing.
      zoneId = Optional.empty();
    }
    return new Placement(region, zone, zoneId);
  }

  private static String checked(String answer, Pattern form, String path) {
    String value = answer.trim();
    if (!form.matcher(value).matches()) {
      throw new IllegalArgumentException(
          path
              + " answered \""
              + (value.length() > 40 ? value.substring(0, 40) + "..." : value)
              + "\", which is not a "
              + (form == REGION ? "region" : "zone"));
    }
    return value;
  }
}

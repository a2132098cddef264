package dev.meshboot.aws;

import static dev.meshboot.config.Variables.AWS_DEFAULT_REGION;
import static dev.meshboot.config.Variables.AWS_REGION;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.Environment;
import dev.meshboot.config.FoundRegion;
import dev.meshboot.config.PlatformFacts.EcsTask;
import dev.meshboot.config.PlatformFacts.Placement;
import dev.meshboot.config.Setting;
import dev.meshboot.config.Variable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Finds the AWS region: {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, ECS task metadata v4 (the
 * task's availability zone), then EC2 instance metadata (IMDSv2), each metadata service with a
 * short timeout and bounded retries. When none answers, the error lists every source and why it
 * gave nothing.
 */
public final class Region {

  static final String IMDS_DEFAULT = InstanceMetadata.DEFAULT_ENDPOINT;

  private Region() {}

  /** The region, asking the metadata services only when no variable gives it. */
  public static String resolve(Environment environment) {
    return find(environment, () -> MetadataLookups.start(environment, false)).name();
  }

  /**
   * The region and where it was found.
   *
   * @param lookups the metadata lookups to ask when no variable gives the region (not called
   *     otherwise)
   * @throws ConfigException about {@code AWS_REGION} when a variable is malformed or no source
   *     gives a region
   */
  public static FoundRegion find(Environment environment, Supplier<MetadataLookups> lookups) {
    List<String> tried = new ArrayList<>();
    for (Variable variable : List.of(AWS_REGION, AWS_DEFAULT_REGION)) {
      Optional<Setting> given = environment.given(variable);
      if (given.isPresent()) {
        String region = given.get().value().trim();
        if (!InstanceMetadata.REGION.matcher(region).matches()) {
          throw ConfigException.invalid(given.get(), "an AWS region such as us-west-2");
        }
        return new FoundRegion(region, variable.name() + " (" + given.get().describeOrigin() + ")");
      }
      tried.add(variable.name() + ": unset");
    }
    MetadataLookups metadata = lookups.get();
    MetadataLookups.Answer<EcsTask> task = metadata.task();
    Optional<String> zone = task.value().flatMap(EcsTask::availabilityZone);
    Optional<String> fromTask = zone.flatMap(TaskMetadata::regionOfZone);
    if (fromTask.isPresent()) {
      return new FoundRegion(
          fromTask.get(), task.source() + ", availability zone " + zone.orElseThrow());
    }
    tried.add(
        task.source()
            + ": "
            + (task.value().isEmpty()
                ? task.problem()
                : zone.map(z -> "AvailabilityZone \"" + z + "\" does not start with a region")
                    .orElse("no AvailabilityZone in the answer")));
    MetadataLookups.Answer<Placement> placement = metadata.placement();
    if (placement.value().isPresent()) {
      return new FoundRegion(placement.value().get().region(), placement.source());
    }
    tried.add(placement.source() + ": " + placement.problem());
    throw new ConfigException(
        AWS_REGION.name(),
        "AWS_REGION: could not find the region; tried "
            + String.join("; ", tried)
            + ". Set AWS_REGION, or point APPMESH_XDS_ENDPOINT at a non-AWS server");
  }

  /** The variable's http(s) URL without a trailing slash, else {@code fallback}. */
  static URI endpoint(Environment environment, Variable variable, String fallback) {
    Optional<Setting> given = environment.given(variable);
    String text = given.map(Setting::value).orElse(fallback).trim();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme();
      if (("http".equals(scheme) || "https".equals(scheme)) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below with the value
    }
    if (given.isPresent()) {
      throw ConfigException.invalid(given.get(), "an http:// or https:// URL");
    }
    throw new IllegalArgumentException("bad default URL " + fallback);
  }

  /** A short reason for the error list: the exception's message, or its type. */
  static String reason(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    message = message.strip().replaceAll("\\s+", " ");
    return message.length() > 200 ? message.substring(0, 200) + "..." : message;
  }
}

package dev.meshboot.aws;

import static dev.meshboot.config.Variables.AWS_DEFAULT_REGION;
import static dev.meshboot.config.Variables.AWS_EC2_METADATA_DISABLED;
import static dev.meshboot.config.Variables.AWS_EC2_METADATA_SERVICE_ENDPOINT;
import static dev.meshboot.config.Variables.AWS_REGION;
import static dev.meshboot.config.Variables.ECS_CONTAINER_METADATA_URI_V4;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.meshboot.config.ConfigException;
import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.Environment;
import dev.meshboot.config.Setting;
import dev.meshboot.config.Variable;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.imds.Ec2MetadataClient;

/**
 * Finds the AWS region: {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, EC2 instance metadata
 * (IMDSv2), then ECS task metadata v4, each remote source with a short timeout. When none answers,
 * the error lists every source and why it gave nothing.
 */
public final class Region {

  static final String IMDS_DEFAULT = "http://169.254.169.254";
  static final String IMDS_REGION_PATH = "/latest/meta-data/placement/region";

  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");

  /** The region at the start of an availability zone: us-west-2a, us-west-2-lax-1a. */
  private static final Pattern ZONE_REGION = Pattern.compile("[a-z]{2}(?:-[a-z]+)+-\\d+");

  private Region() {}

  /** The region, asking the metadata services with a 1 s timeout each (IMDS: 2 retries). */
  public static String resolve(Environment environment) {
    return resolve(environment, AwsHttp.METADATA_TIMEOUT);
  }

  static String resolve(Environment environment, Duration timeout) {
    List<String> tried = new ArrayList<>();
    for (Variable variable : List.of(AWS_REGION, AWS_DEFAULT_REGION)) {
      Optional<Setting> given = environment.given(variable);
      if (given.isPresent()) {
        String region = given.get().value().trim();
        if (!REGION.matcher(region).matches()) {
          throw ConfigException.invalid(given.get(), "a region such as us-west-2");
        }
        return region;
      }
      tried.add(variable.name() + ": unset");
    }
    try (SdkHttpClient http = AwsHttp.client(timeout)) {
      String fromImds = fromImds(environment, http, tried);
      if (fromImds != null) {
        return fromImds;
      }
      String fromTask = fromTaskMetadata(environment, http, tried);
      if (fromTask != null) {
        return fromTask;
      }
    }
    throw new ConfigException(
        AWS_REGION.name(),
        AWS_REGION.name()
            + ": could not find the region; tried "
            + String.join("; ", tried)
            + ". Set AWS_REGION.");
  }

  private static @Nullable String fromImds(
      Environment environment, SdkHttpClient http, List<String> tried) {
    ConfigReader reader = new ConfigReader(environment);
    if (reader.optionalBool(AWS_EC2_METADATA_DISABLED).orElse(false)) {
      tried.add("EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED");
      return null;
    }
    URI endpoint = endpoint(environment, AWS_EC2_METADATA_SERVICE_ENDPOINT, IMDS_DEFAULT);
    String source = "EC2 instance metadata at " + endpoint;
    try (Ec2MetadataClient imds = imds(http, endpoint)) {
      return checked(imds.get(IMDS_REGION_PATH).asString().trim(), source, tried);
    } catch (SdkException | IllegalStateException e) {
      tried.add(source + ": " + reason(e));
      return null;
    }
  }

  /** An IMDSv2 client (a token first, then the request with it) with two quick retries. */
  static Ec2MetadataClient imds(SdkHttpClient http, URI endpoint) {
    return Ec2MetadataClient.builder()
        .httpClient(http)
        .endpoint(endpoint)
        .tokenTtl(Duration.ofMinutes(5))
        .retryPolicy(retry -> retry.numRetries(2))
        .build();
  }

  private static @Nullable String fromTaskMetadata(
      Environment environment, SdkHttpClient http, List<String> tried) {
    Optional<Setting> base = environment.given(ECS_CONTAINER_METADATA_URI_V4);
    if (base.isEmpty()) {
      tried.add("ECS task metadata: ECS_CONTAINER_METADATA_URI_V4 unset");
      return null;
    }
    URI task =
        URI.create(endpoint(environment, ECS_CONTAINER_METADATA_URI_V4, "http://x") + "/task");
    String source = "ECS task metadata at " + task;
    try {
      JsonObject document =
          JsonParser.parseString(AwsHttp.get(http, task, Map.of())).getAsJsonObject();
      String zone = text(document, "AvailabilityZone");
      if (zone != null) {
        Matcher region = ZONE_REGION.matcher(zone);
        if (region.lookingAt()) {
          return region.group();
        }
        tried.add(source + ": AvailabilityZone \"" + zone + "\" does not start with a region");
        return null;
      }
      tried.add(source + ": no AvailabilityZone in the answer");
      return null;
    } catch (IOException | JsonParseException | IllegalStateException e) {
      tried.add(source + ": " + reason(e));
      return null;
    }
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

  private static @Nullable String text(JsonObject document, String field) {
    JsonElement value = document.get(field);
    return value != null && value.isJsonPrimitive() ? value.getAsString() : null;
  }

  private static @Nullable String checked(String region, String source, List<String> tried) {
    if (REGION.matcher(region).matches()) {
      return region;
    }
    tried.add(source + ": answered \"" + region + "\", which is not a region");
    return null;
  }

  /** A short reason for the error list: the exception's message, or its type. */
  static String reason(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return message.length() > 200 ? message.substring(0, 200) + "..." : message;
  }
}

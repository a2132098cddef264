package dev.meshboot.aws;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.meshboot.config.PlatformFacts.EcsTask;
import dev.meshboot.config.PlatformFacts.IpFamilies;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The ECS task metadata endpoint v4: {@code $ECS_CONTAINER_METADATA_URI_V4/task}, read for node
 * metadata and the region (from the availability zone). See
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-response.html
 */
final class TaskMetadata {

  /** The region at the start of an availability zone: us-west-2a, us-west-2-lax-1a. */
  private static final Pattern ZONE_REGION = Pattern.compile("[a-z]{2}(?:-[a-z]+)+-\\d+");

  /** The network modes AWS's agent recognised in {@code Networks[].NetworkMode}. */
  private static final Set<String> NETWORK_MODES =
      Set.of("awsvpc", "bridge", "host", "none", "default");

  private TaskMetadata() {}

  /** The task document's URL under the endpoint the variable gives. */
  static URI taskUri(URI base) {
    return URI.create(base + "/task");
  }

  /**
   * GETs the task document once ({@link AwsHttp#get(URI, Duration)}: no SDK class on Fargate).
   *
   * @throws IOException when it does not answer 200 within {@code timeout} per connect and read
   * @throws IllegalArgumentException when the answer is not a JSON object
   */
  static EcsTask read(URI base, Duration timeout) throws IOException {
    return parse(AwsHttp.get(taskUri(base), timeout));
  }

  /** The fields node metadata needs; every one may be missing (older container agents). */
  static EcsTask parse(String json) {
    JsonObject task;
    try {
      JsonElement document = JsonParser.parseString(json);
      if (!document.isJsonObject()) {
        throw new IllegalArgumentException("the answer is not a JSON object");
      }
      task = document.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("the answer is not JSON: " + Region.reason(e), e);
    }
    JsonElement limits = task.get("Limits");
    JsonObject limitsObject =
        limits != null && limits.isJsonObject() ? limits.getAsJsonObject() : new JsonObject();
    return new EcsTask(
        text(task, "LaunchType"),
        text(task, "Cluster"),
        text(task, "TaskARN"),
        text(limitsObject, "CPU"),
        text(limitsObject, "Memory"),
        text(task, "AvailabilityZone"),
        ipFamilies(task));
  }

  /**
   * The task's address families, found as AWS's agent found them: the network mode is the first
   * known {@code NetworkMode} of any container; in {@code awsvpc} mode every container has the
   * task's addresses, so the first container's networks tell; in {@code bridge} mode only the
   * {@code CNI_PAUSE} container has the whole set; other modes say nothing.
   */
  static Optional<IpFamilies> ipFamilies(JsonObject task) {
    List<JsonObject> containers = objects(task.get("Containers"));
    String mode = null;
    for (JsonObject container : containers) {
      for (JsonObject network : objects(container.get("Networks"))) {
        Optional<String> networkMode = text(network, "NetworkMode");
        if (mode == null && networkMode.isPresent() && NETWORK_MODES.contains(networkMode.get())) {
          mode = networkMode.get();
        }
      }
    }
    if ("awsvpc".equals(mode)) {
      return families(containers.get(0)).map(families -> new IpFamilies(families, false));
    }
    if ("bridge".equals(mode)) {
      return containers.stream()
          .filter(container -> text(container, "Type").equals(Optional.of("CNI_PAUSE")))
          .findFirst()
          .flatMap(TaskMetadata::families)
          .map(families -> new IpFamilies(families, true));
    }
    return Optional.empty();
  }

  private static Optional<String> families(JsonObject container) {
    boolean ipv4 = false;
    boolean ipv6 = false;
    for (JsonObject network : objects(container.get("Networks"))) {
      ipv4 |= !elements(network.get("IPv4Addresses")).isEmpty();
      ipv6 |= !elements(network.get("IPv6Addresses")).isEmpty();
    }
    if (ipv4 && ipv6) {
      return Optional.of("ALL");
    }
    return ipv4 ? Optional.of("IPv4_ONLY") : ipv6 ? Optional.of("IPv6_ONLY") : Optional.empty();
  }

  private static List<JsonObject> objects(@Nullable JsonElement array) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement element : elements(array)) {
      if (element.isJsonObject()) {
        out.add(element.getAsJsonObject());
      }
    }
    return out;
  }

  private static List<JsonElement> elements(@Nullable JsonElement array) {
    List<JsonElement> out = new ArrayList<>();
    if (array != null && array.isJsonArray()) {
      array.getAsJsonArray().forEach(out::add);
    }
    return out;
  }

  /** The region an availability zone lies in, when it has the form of one. */
  static Optional<String> regionOfZone(String zone) {
    Matcher region = ZONE_REGION.matcher(zone);
    return region.lookingAt() ? Optional.of(region.group()) : Optional.empty();
  }

  /** A string or number field as its text (numbers as the endpoint wrote them); else empty. */
  private static Optional<String> text(JsonObject object, String field) {
    JsonElement value = object.get(field);
    if (value == null || !value.isJsonPrimitive() || value.getAsJsonPrimitive().isBoolean()) {
      return Optional.empty();
    }
    String text = value.getAsString().trim();
    return text.isEmpty() ? Optional.empty() : Optional.of(text);
  }
}

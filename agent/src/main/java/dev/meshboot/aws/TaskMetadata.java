package dev.meshboot.aws;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.meshboot.config.PlatformFacts.EcsTask;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ECS task metadata endpoint v4: {@code $ECS_CONTAINER_METADATA_URI_V4/task}, read for node
 * metadata and the region (from the availability zone). See
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-response.html
 */
final class TaskMetadata {

  /** The region at the start of an availability zone: us-west-2a, us-west-2-lax-1a. */
  private static final Pattern ZONE_REGION = Pattern.compile("[a-z]{2}(?:-[a-z]+)+-\\d+");

  private TaskMetadata() {}

  /** The task document's URL under the endpoint the variable gives. */
  static URI taskUri(URI base) {
    return URI.create(base + "/task");
  }

  /**
   * GETs the task document once, with the JDK's {@link HttpURLConnection} rather than the SDK's
   * client: on Fargate this is the only metadata call, and it then loads no SDK class at all
   * (bench/startup.py). Never through a proxy: the endpoint is link-local.
   *
   * @throws IOException when it does not answer 200 within {@code timeout} per connect and read
   * @throws IllegalArgumentException when the answer is not a JSON object
   */
  static EcsTask read(URI base, Duration timeout) throws IOException {
    int millis = Math.toIntExact(timeout.toMillis());
    HttpURLConnection connection =
        (HttpURLConnection) taskUri(base).toURL().openConnection(Proxy.NO_PROXY);
    connection.setConnectTimeout(millis);
    connection.setReadTimeout(millis);
    connection.setInstanceFollowRedirects(false);
    connection.setUseCaches(false);
    try {
      int status = connection.getResponseCode();
      if (status != 200) {
        throw new AwsHttp.StatusException(status);
      }
      try (InputStream body = connection.getInputStream()) {
        return parse(AwsHttp.read(body));
      }
    } finally {
      connection.disconnect();
    }
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
        text(task, "AvailabilityZone"));
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

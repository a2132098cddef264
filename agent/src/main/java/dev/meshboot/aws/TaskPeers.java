package dev.meshboot.aws;

import static dev.meshboot.config.Variables.ECS_CONTAINER_METADATA_URI_V4;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.meshboot.config.Environment;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The other containers of meshboot's ECS task that are still running, read from task metadata v4
 * for a task-aware shutdown. Task metadata does not say which containers are essential (neither
 * {@code /task} nor the container document has the field), so every container of type {@code
 * NORMAL} other than meshboot's own counts: meshboot's own is the one whose {@code DockerId} the
 * container document ({@code $ECS_CONTAINER_METADATA_URI_V4} itself) names. Each read is one
 * bounded GET, never through a proxy; an answer that is not what v4 documents is an error, so a
 * caller never waits on nonsense.
 */
public final class TaskPeers {

  private final URI base;
  private final Duration timeout;
  private final String ownDockerId;

  private TaskPeers(URI base, Duration timeout, String ownDockerId) {
    this.base = base;
    this.timeout = timeout;
    this.ownDockerId = ownDockerId;
  }

  /** The endpoint {@code ECS_CONTAINER_METADATA_URI_V4} gives; empty outside an ECS task. */
  public static java.util.Optional<URI> endpoint(Environment environment) {
    if (environment.given(ECS_CONTAINER_METADATA_URI_V4).isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        Region.endpoint(environment, ECS_CONTAINER_METADATA_URI_V4, "http://x"));
  }

  /**
   * Reads this container's own document to learn which container is meshboot's.
   *
   * @param base the value of {@code ECS_CONTAINER_METADATA_URI_V4}
   * @throws IOException when the endpoint does not answer 200 within {@code timeout}
   * @throws IllegalArgumentException when the answer has no {@code DockerId}
   */
  public static TaskPeers of(URI base, Duration timeout) throws IOException {
    JsonObject own = object(AwsHttp.get(base, timeout));
    String dockerId = string(own, "DockerId", "the container document");
    return new TaskPeers(base, timeout, dockerId);
  }

  /**
   * The names of the task's other containers that have not stopped ({@code KnownStatus} other than
   * {@code STOPPED}), in the task document's order.
   *
   * @throws IOException when the endpoint does not answer 200 within the timeout
   * @throws IllegalArgumentException when the task document has no {@code Containers} array, or a
   *     container without {@code DockerId}, {@code Name} or {@code KnownStatus}
   */
  public List<String> running() throws IOException {
    JsonObject task = object(AwsHttp.get(TaskMetadata.taskUri(base), timeout));
    JsonElement containers = task.get("Containers");
    if (containers == null || !containers.isJsonArray()) {
      throw new IllegalArgumentException("the task document has no Containers array");
    }
    List<String> running = new ArrayList<>();
    for (JsonElement element : containers.getAsJsonArray()) {
      if (!element.isJsonObject()) {
        throw new IllegalArgumentException("a Containers entry is not an object");
      }
      JsonObject container = element.getAsJsonObject();
      String where = "a Containers entry";
      String dockerId = string(container, "DockerId", where);
      String name = string(container, "Name", where);
      String status = string(container, "KnownStatus", where);
      JsonElement type = container.get("Type");
      boolean normal =
          type == null || (type.isJsonPrimitive() && type.getAsString().equals("NORMAL"));
      if (normal && !dockerId.equals(ownDockerId) && !status.equals("STOPPED")) {
        running.add(name);
      }
    }
    return running;
  }

  private static JsonObject object(String json) {
    try {
      JsonElement document = JsonParser.parseString(json);
      if (!document.isJsonObject()) {
        throw new IllegalArgumentException("the answer is not a JSON object");
      }
      return document.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("the answer is not JSON: " + Region.reason(e), e);
    }
  }

  private static String string(JsonObject object, String field, String where) {
    JsonElement value = object.get(field);
    if (value == null
        || !value.isJsonPrimitive()
        || !value.getAsJsonPrimitive().isString()
        || value.getAsString().isBlank()) {
      throw new IllegalArgumentException(where + " has no " + field);
    }
    return value.getAsString();
  }
}
